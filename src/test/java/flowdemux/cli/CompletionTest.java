package flowdemux.cli;

import flowdemux.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The completion script loads in bash and completes commands, options and their values from the option model. */
class CompletionTest
{
    @Test
    void bashCompletesCommandsOptionsAndValues(@TempDir final Path tmp) throws Exception
    {
        final Cli gen = Cli.run("completion", "bash");
        assertEquals(0, gen.exitCode, gen.err);
        final Path script = tmp.resolve("analyzer.bash");
        Files.writeString(script, gen.out);
        final String probe = "source '" + script + "'\n"
            + "t() { COMP_LINE=\"$1\"; read -ra COMP_WORDS <<< \"$1\"; [ \"${1: -1}\" = ' ' ] && COMP_WORDS+=('');"
            + " COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_POINT=${#COMP_LINE}; COMPREPLY=();"
            + " _complete_analyzer 2>/dev/null; echo \"${COMPREPLY[*]}\"; }\n"
            + "t 'analyzer re'\nt 'analyzer read --for'\nt 'analyzer read --format '\nt 'analyzer split F --by server'\n"
            + "t 'analyzer ext'\n";
        final Process p = new ProcessBuilder("bash", "-c", probe).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals("read\n--format\ntext json jsonl csv zeek html\nserver server-port\nextract\n", out);
        assertTrue(gen.out.contains("bashcompinit"), "zsh loads the same script through bashcompinit");
        assertEquals(1, Cli.run("completion", "fish").exitCode);
    }
}
