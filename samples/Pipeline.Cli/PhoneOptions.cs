using System.Globalization;
using System.Net;

namespace Pipeline.Cli;

/// <summary>The options of <c>phone</c>. This contract is relied on by other tools: extend it, never change what a flag means.</summary>
internal sealed class PhoneOptions
{
    public IPEndPoint Bind { get; set; } = new(IPAddress.Loopback, 5060);

    public string User { get; set; } = "pipeline";

    public bool AutoAnswer { get; set; }

    public IReadOnlyList<string> Codecs { get; set; } = ["PCMU", "PCMA"];

    public int RtpPortLow { get; set; } = 10000;

    public int RtpPortHigh { get; set; } = 20000;

    public string? PlayFile { get; set; }

    public double? ToneHz { get; set; }

    public string? RecordDirectory { get; set; }

    public string? CallUri { get; set; }

    public double? HangupAfterSeconds { get; set; }

    public double? ExitAfterSeconds { get; set; }

    public bool Events { get; set; }

    public bool Verbose { get; set; }

    /// <summary>TLS listen address (--tls-bind), or null for no TLS listener.</summary>
    public IPEndPoint? TlsBind { get; set; }

    /// <summary>PKCS#12 file with the TLS server certificate and key (--tls-cert).</summary>
    public string? TlsCertFile { get; set; }

    /// <summary>Password of <see cref="TlsCertFile"/> (--tls-password).</summary>
    public string? TlsPassword { get; set; }

    /// <summary>PEM/DER CA certificate to trust for servers we connect to over TLS (--tls-ca); default: system trust.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>What outgoing requests use (--transport): udp, tcp or tls.</summary>
    public string Transport { get; set; } = "udp";

    public List<string> Registrars { get; } = [];

    public List<string> Proxies { get; } = [];

    public double? MaxRatePerSource { get; set; }

    /// <summary>DNS servers for RFC 3263 lookups (--dns-server, repeatable); empty: the system's.</summary>
    public List<IPEndPoint> DnsServers { get; } = [];

    /// <summary>Binding lifetime asked for in REGISTER (--register-expires); null: the library default (3600 s).</summary>
    public int? RegisterExpiresSeconds { get; set; }

    public string? AuthUser { get; set; }

    public string? Password { get; set; }

    public const string Usage = """
        usage: Pipeline.Cli phone [options]
          --bind IP:PORT         SIP listen address (UDP and TCP)             default 127.0.0.1:5060
          --tls-bind IP:PORT     also listen for SIP over TLS there (needs --tls-cert)
          --tls-cert FILE.pfx    TLS server certificate with its key (PKCS#12)
          --tls-password PASS    password of --tls-cert                       default: none
          --tls-ca FILE          trust this CA (PEM/DER) for TLS servers we call  default: system trust
          --transport PROTO      udp, tcp or tls: what our requests use        default udp
                                 (sips: and ;transport= in a URI win; big UDP requests go over TCP)
          --user NAME            user part of our URI                         default pipeline
          --auto-answer          answer incoming INVITEs at once
          --codecs LIST          ordered codec names: PCMU PCMA G722 opus iLBC G729 telephone-event   default PCMU,PCMA
          --rtp-ports LOW-HIGH   local RTP/RTCP port range                    default 10000-20000
          --play FILE.wav        what each call sends (16-bit PCM WAV, looped)
          --tone HZ              send a sine tone instead (below half the codec rate) default: silence
          --record DIR           one stereo WAV per call: left = received, right = sent
          --call URI             place one call at start
          --hangup-after SEC     hang up each established call after SEC seconds
          --exit-after SEC       end calls cleanly and exit after SEC seconds
          --events               one JSON object per line on stdout per call event
          --register URI         register at this registrar (repeatable: one registration per
                                 server, all kept alive, calls accepted from any)
          --proxy URI            outbound proxy for our calls (repeatable, in failover order: the next
                                 is tried on no answer, timeout or 503)
          --register-expires SEC binding lifetime asked for (refreshed before it ends)  default 3600
          --dns-server IP:PORT   DNS server for NAPTR/SRV/A lookups of sip: hosts (repeatable; RFC 3263)
                                 default: the system's resolvers (port defaults to 53)
          --auth-user NAME       digest user name (default: --user)
          --password SECRET      digest password (REGISTER, and INVITEs challenged with 401/407)
          --max-rate-per-source N  requests per second accepted from one IP (0 = no limit;
                                 default 1000); load tests from one host set 0
          --verbose              SIP trace and debug logs on stderr
        """;

    /// <summary>Parses the arguments after <c>phone</c>; throws <see cref="UsageException"/> naming the bad argument.</summary>
    public static PhoneOptions Parse(IReadOnlyList<string> args)
    {
        var o = new PhoneOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"{a} needs a value");
                return args[++i];
            }

            double Seconds()
            {
                string v = Value();
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || s < 0 || double.IsNaN(s) || double.IsInfinity(s))
                {
                    throw new UsageException($"{a}: '{v}' is not a number of seconds");
                }

                return s;
            }

            switch (a)
            {
                case "--bind":
                    {
                        string v = Value();
                        if (!IPEndPoint.TryParse(v, out var ep) || ep.Port == 0 && !v.EndsWith(":0", StringComparison.Ordinal))
                        {
                            throw new UsageException($"--bind: '{v}' is not IP:PORT");
                        }

                        o.Bind = ep;
                        break;
                    }

                case "--user":
                    o.User = Value();
                    if (o.User.Length == 0 || o.User.Any(c => char.IsWhiteSpace(c) || c is '@' or ':' or '<' or '>' or ';')) throw new UsageException($"--user: '{o.User}' is not a valid SIP user part");
                    break;
                case "--auto-answer":
                    o.AutoAnswer = true;
                    break;
                case "--codecs":
                    o.Codecs = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (o.Codecs.Count == 0) throw new UsageException("--codecs: give at least one codec name");
                    break;
                case "--rtp-ports":
                    {
                        string v = Value();
                        var parts = v.Split('-');
                        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int lo) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int hi)
                            || lo < 1024 || hi > 65535 || hi - lo < 3)
                        {
                            throw new UsageException($"--rtp-ports: '{v}' is not LOW-HIGH with 1024 <= LOW < HIGH <= 65535 and room for one RTP/RTCP pair");
                        }

                        o.RtpPortLow = lo;
                        o.RtpPortHigh = hi;
                        break;
                    }

                case "--play":
                    o.PlayFile = Value();
                    if (!File.Exists(o.PlayFile)) throw new UsageException($"--play: file '{o.PlayFile}' does not exist");
                    break;
                case "--tone":
                    {
                        string v = Value();
                        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double hz) || hz <= 0 || hz >= 24000)
                        {
                            throw new UsageException($"--tone: '{v}' is not a frequency between 0 and 24000 Hz (it must also be below half the call's audio rate: 4000 Hz for G.711, 8000 Hz for G.722)");
                        }

                        o.ToneHz = hz;
                        break;
                    }

                case "--record":
                    o.RecordDirectory = Value();
                    break;
                case "--call":
                    o.CallUri = Value();
                    if (!o.CallUri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !o.CallUri.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new UsageException($"--call: '{o.CallUri}' is not a sip: or sips: URI");
                    }

                    break;
                case "--hangup-after":
                    o.HangupAfterSeconds = Seconds();
                    break;
                case "--exit-after":
                    o.ExitAfterSeconds = Seconds();
                    break;
                case "--events":
                    o.Events = true;
                    break;
                case "--register":
                    {
                        string v = Value();
                        if (!v.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !v.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
                        {
                            throw new UsageException($"--register: '{v}' is not a sip: or sips: URI");
                        }

                        o.Registrars.Add(v);
                        break;
                    }

                case "--proxy":
                    {
                        string v = Value();
                        if (!v.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !v.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
                        {
                            throw new UsageException($"--proxy: '{v}' is not a sip: or sips: URI");
                        }

                        o.Proxies.Add(v);
                        break;
                    }

                case "--register-expires":
                    {
                        string v = Value();
                        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int e) || e < 10 || e > 86400)
                        {
                            throw new UsageException($"--register-expires: '{v}' is not a whole number of seconds from 10 to 86400");
                        }

                        o.RegisterExpiresSeconds = e;
                        break;
                    }

                case "--dns-server":
                    {
                        string v = Value();
                        if (!IPEndPoint.TryParse(v, out var ep))
                        {
                            throw new UsageException($"--dns-server: '{v}' is not IP or IP:PORT");
                        }

                        if (ep.Port == 0) ep.Port = 53;
                        o.DnsServers.Add(ep);
                        break;
                    }

                case "--auth-user":
                    o.AuthUser = Value();
                    break;
                case "--password":
                    o.Password = Value();
                    break;
                case "--max-rate-per-source":
                    {
                        string v = Value();
                        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || r < 0 || double.IsNaN(r) || double.IsInfinity(r))
                        {
                            throw new UsageException($"--max-rate-per-source: '{v}' is not a number >= 0");
                        }

                        o.MaxRatePerSource = r;
                        break;
                    }

                case "--verbose":
                    o.Verbose = true;
                    break;
                case "--tls-bind":
                    {
                        string v = Value();
                        if (!IPEndPoint.TryParse(v, out var ep) || ep.Port == 0 && !v.EndsWith(":0", StringComparison.Ordinal))
                        {
                            throw new UsageException($"--tls-bind: '{v}' is not IP:PORT");
                        }

                        o.TlsBind = ep;
                        break;
                    }

                case "--tls-cert":
                    o.TlsCertFile = Value();
                    if (!File.Exists(o.TlsCertFile)) throw new UsageException($"--tls-cert: file '{o.TlsCertFile}' does not exist");
                    break;
                case "--tls-password":
                    o.TlsPassword = Value();
                    break;
                case "--tls-ca":
                    o.TlsCaFile = Value();
                    if (!File.Exists(o.TlsCaFile)) throw new UsageException($"--tls-ca: file '{o.TlsCaFile}' does not exist");
                    break;
                case "--transport":
                    o.Transport = Value().ToLowerInvariant();
                    if (o.Transport is not ("udp" or "tcp" or "tls")) throw new UsageException($"--transport: '{o.Transport}' is not udp, tcp or tls");
                    break;
                default:
                    throw new UsageException($"unknown option '{a}'");
            }
        }

        if (o.AuthUser is not null && o.Password is null) throw new UsageException("--auth-user needs --password");
        if (o.PlayFile is not null && o.ToneHz is not null) throw new UsageException("--play and --tone are alternatives: give one");
        if (o.TlsBind is not null && o.TlsCertFile is null) throw new UsageException("--tls-bind needs --tls-cert FILE.pfx");
        if (o.TlsPassword is not null && o.TlsCertFile is null) throw new UsageException("--tls-password without --tls-cert");
        return o;
    }
}
