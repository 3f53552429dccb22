using System.Globalization;
using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42, RFC 3581 rport).</summary>
internal sealed class SipVia
{
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port, string? branch)
    {
        Transport = transport;
        Host = host;
        Port = port;
        if (branch is not null)
        {
            Parameters.Set("branch", branch);
        }
    }

    public string Protocol { get; init; } = "SIP/2.0";

    public string Transport { get; }

    public string Host { get; }

    public int? Port { get; }

    public SipParameters Parameters { get; private init; } = new();

    public string? Branch => Parameters.Get("branch");

    public string? Received => Parameters.Get("received");

    public string? Maddr => Parameters.Get("maddr");

    public bool HasRport => Parameters.Contains("rport");

    /// <summary>The rport value, if the parameter has one.</summary>
    public int? Rport => int.TryParse(Parameters.Get("rport"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    public bool HasMagicCookie => Branch is { } b && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    /// <summary>The sent-by as "host:port" (port defaulted), for transaction matching.</summary>
    public string SentBy => Host + ":" + (Port ?? 5060).ToString(CultureInfo.InvariantCulture);

    public static SipVia Parse(string value)
    {
        Scan(value, out var name, out var version, out var transport, out var host, out var port, out var paramsStart);
        var via = new SipVia(TransportName(value.AsSpan()[transport]), value[host], port, null)
        {
            Protocol = IsSip20(value.AsSpan()[name], value.AsSpan()[version]) ? "SIP/2.0" : value[name] + "/" + value[version],
        };
        var s = new SipScanner(value, "Via") { Position = paramsStart };
        s.ReadParameters(via.Parameters);
        return via;
    }

    /// <summary>The transport in upper case; the shared string for the usual ones.</summary>
    private static string TransportName(ReadOnlySpan<char> t)
    {
        foreach (var known in (ReadOnlySpan<string>)["UDP", "TCP", "TLS", "SCTP", "WS", "WSS"])
        {
            if (t.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return t.ToString().ToUpperInvariant();
    }

    /// <summary>Checks one Via value (already split at commas) without allocating; throws <see cref="SipParseException"/>.</summary>
    internal static void Validate(ReadOnlySpan<char> value) => Scan(value, out _, out _, out _, out _, out _, out _);

    private static bool IsSip20(ReadOnlySpan<char> name, ReadOnlySpan<char> version) => name is "SIP" && version is "2.0";

    /// <summary>Scans <c>sent-protocol LWS sent-by *( SEMI via-params )</c>.</summary>
    private static void Scan(ReadOnlySpan<char> value, out Range name, out Range version, out Range transport, out Range host, out int? port, out int paramsStart)
    {
        const string H = "Via";
        var s = new SipScanner(value, H);
        s.SkipLws();
        var ns = s.Position;
        s.ReadTokenSpan("protocol name");
        name = ns..s.Position;
        s.Expect('/', "'/' in sent-protocol");
        s.SkipLws();
        var vs = s.Position;
        s.ReadTokenSpan("protocol version");
        version = vs..s.Position;
        s.Expect('/', "'/' in sent-protocol");
        s.SkipLws();
        var ts = s.Position;
        s.ReadTokenSpan("transport");
        transport = ts..s.Position;
        s.SkipLws();
        var start = s.Position;
        if (s.Peek == '[')
        {
            while (!s.AtEnd && s.Peek != ']')
            {
                s.Position++;
            }

            s.Position++;
        }
        else
        {
            while (!s.AtEnd && (char.IsAsciiLetterOrDigit(s.Peek) || s.Peek is '-' or '.' or '_'))
            {
                s.Position++;
            }
        }

        var hostEnd = Math.Min(s.Position, value.Length);
        if (hostEnd == start)
        {
            throw s.Error(s.AtEnd ? "missing sent-by host" : $"invalid sent-by at '{s.Rest.ToString()}'");
        }

        if (!SipUri.TryValidateHostPort(value[start..hostEnd], out var hostLength, out _, out var err) || hostLength != hostEnd - start)
        {
            throw s.Error(err ?? "invalid sent-by");
        }

        host = start..hostEnd;
        port = null;
        if (s.TryChar(':'))
        {
            s.SkipLws();
            var ps = s.Position;
            while (!s.AtEnd && char.IsAsciiDigit(s.Peek))
            {
                s.Position++;
            }

            var digits = value[ps..s.Position];
            if (digits.Length == 0 || digits.Length > 5 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                throw s.Error($"invalid port '{digits.ToString()}'");
            }

            port = p;
        }

        paramsStart = s.Position;
        s.SkipParameters();
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }
    }

    public SipVia Clone() => new(Transport, Host, Port, null) { Protocol = Protocol, Parameters = Parameters.Clone() };

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(Protocol).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is { } p)
        {
            sb.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        }

        Parameters.WriteTo(sb);
        return sb.ToString();
    }
}
