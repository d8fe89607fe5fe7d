package flowdemux;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The rows of a Zeek conn.log (flowdemux's or Zeek's) as field name -> value, in file order. */
public final class ConnLogRows
{
    private ConnLogRows()
    {
    }

    public static List<Map<String, String>> parse(final String log)
    {
        String[] fields = null;
        final List<Map<String, String>> rows = new ArrayList<>();
        for (final String line : log.split("\n"))
        {
            if (line.startsWith("#fields\t"))
            {
                fields = line.substring(8).split("\t");
            }
            else if (!line.startsWith("#") && !line.isEmpty() && fields != null)
            {
                final String[] v = line.split("\t", -1);
                final Map<String, String> row = new HashMap<>();
                for (int i = 0; i < fields.length && i < v.length; i++)
                {
                    row.put(fields[i], v[i]);
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
