package flowdemux.cli;

import picocli.CommandLine;

import java.math.BigDecimal;

/** A count as people write it: 20000000, 2e7, 2E7, 20_000_000 or 20,000,000; a whole number either way. */
final class CountConverter implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        final String t = value.trim().replace("_", "").replace(",", "");
        try
        {
            return new BigDecimal(t).longValueExact();
        }
        catch (NumberFormatException | ArithmeticException e)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number (2e7 and 20000000 "
                + "both work)");
        }
    }
}
