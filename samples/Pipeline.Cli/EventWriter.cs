using System.Text.Json;

namespace Pipeline.Cli;

/// <summary>Writes one JSON object per line to stdout (the <c>--events</c> contract), whole lines only, from any thread.</summary>
internal sealed class EventWriter(TextWriter output, bool enabled)
{
    private readonly object _gate = new();

    public void Write(string name, string callId, params (string Key, object? Value)[] fields)
    {
        if (!enabled) return;
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("event", name);
            w.WriteString("call", callId);
            w.WriteString("time", DateTimeOffset.UtcNow);
            foreach (var (k, v) in fields)
            {
                switch (v)
                {
                    case null: w.WriteNull(k); break;
                    case string s: w.WriteString(k, s); break;
                    case bool b: w.WriteBoolean(k, b); break;
                    case int i: w.WriteNumber(k, i); break;
                    case long l: w.WriteNumber(k, l); break;
                    case double d: w.WriteNumber(k, d); break;
                    default: w.WriteString(k, v.ToString()); break;
                }
            }

            w.WriteEndObject();
        }

        string line = System.Text.Encoding.UTF8.GetString(ms.GetBuffer(), 0, (int)ms.Length);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
