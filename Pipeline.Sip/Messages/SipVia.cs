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
        const string H = "Via";
        var s = new SipScanner(value, H);
        var name = s.ReadToken("protocol name");
        s.Expect('/', "'/' in sent-protocol");
        var version = s.ReadToken("protocol version");
        s.Expect('/', "'/' in sent-protocol");
        var transport = s.ReadToken("transport");
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

        var host = value[start..Math.Min(s.Position, value.Length)];
        if (host.Length == 0)
        {
            throw s.Error(s.AtEnd ? "missing sent-by host" : $"invalid sent-by at '{s.Rest.ToString()}'");
        }

        var hostPort = host;
        if (s.TryChar(':'))
        {
            s.SkipLws();
            var ps = s.Position;
            while (!s.AtEnd && char.IsAsciiDigit(s.Peek))
            {
                s.Position++;
            }

            hostPort = host + ":" + value[ps..s.Position];
        }

        if (!SipUri.TryParseHostPort(hostPort, out var h, out var port, out var err))
        {
            throw s.Error(err ?? "invalid sent-by");
        }

        var via = new SipVia(transport.ToUpperInvariant(), h, port, null) { Protocol = name + "/" + version };
        s.ReadParameters(via.Parameters);
        s.SkipLws();
        if (!s.AtEnd)
        {
            throw s.Error($"unexpected '{s.Rest.ToString()}'");
        }

        return via;
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
