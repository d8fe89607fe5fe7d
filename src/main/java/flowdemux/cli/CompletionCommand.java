package flowdemux.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * {@code completion bash|zsh}: the shell completion script, generated from the same option model as {@code --help},
 * so that it cannot fall behind the commands. zsh reads bash's completion through bashcompinit, which the script
 * loads itself when sourced by zsh.
 */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    header = "Print the shell completion script for bash or zsh.",
    description = {"Completes the commands, their options and option values (formats, groupings, files).", ""},
    footer = {"", "Examples:", "  source <(analyzer completion bash)          # this shell",
        "  analyzer completion bash > ~/.local/share/bash-completion/completions/analyzer",
        "  analyzer completion zsh > \"${fpath[1]}/_analyzer\"   # or: source <(analyzer completion zsh)"})
public final class CompletionCommand implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = "bash", paramLabel = "bash|zsh",
        description = "the shell (default bash)")
    private String shell;

    @Override
    public Integer call()
    {
        if (!"bash".equals(shell) && !"zsh".equals(shell))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "completion: bash or zsh, not '" + shell
                + "'");
        }
        final String script = AutoComplete.bash("analyzer", Main.commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
