namespace Pipeline.Interop.Tests.Peers;

/// <summary>How to configure one kamailio registrar/proxy (see <see cref="KamailioPeer"/>).</summary>
internal sealed class KamailioOptions
{
    /// <summary>Digest users: name → password (names: letters, digits, '.', '_', '-', '+', '~'). Every REGISTER must authenticate as the AOR's user.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string> { ["alice"] = "secret" };

    /// <summary>Digest realm of the 401/407 challenges.</summary>
    public string Realm { get; init; } = "pipeline.test";

    /// <summary>SIP port on 127.0.0.1 (UDP and, when <see cref="Tcp"/>, TCP); null: a free one is picked (re-picked if taken).</summary>
    public int? Port { get; init; }

    /// <summary>Also listen on TCP at the same port.</summary>
    public bool Tcp { get; init; } = true;

    /// <summary>Initial INVITEs must carry Proxy-Authorization (407 challenge otherwise); the auth user must be the From user.</summary>
    public bool RequireInviteAuth { get; init; }

    /// <summary>Offer qop=auth in challenges (RFC 2617/7616); false: the RFC 2069 style without qop.</summary>
    public bool Qop { get; init; } = true;

    /// <summary>
    /// An initial request whose request-URI is not this proxy is relayed only when the From user is
    /// registered (otherwise 403 "Relaying forbidden"): no open relay, as the brief asks.
    /// </summary>
    public bool RelayOnlyForRegisteredCallers { get; init; } = true;

    /// <summary>Registrar min_expires: a REGISTER asking for less gets 423 with Min-Expires (kamailio's default is 60 s).</summary>
    public int MinExpires { get; init; } = 1;

    /// <summary>Registrar max_expires (0 = no limit).</summary>
    public int MaxExpires { get; init; }

    /// <summary>Worker processes per UDP socket and for TCP (kamailio -n / tcp_children).</summary>
    public int Children { get; init; } = 2;

    /// <summary>kamailio debug level (2 = info; 3 = debug, very verbose).</summary>
    public int DebugLevel { get; init; } = 2;

    /// <summary>Extra lines inserted at the top of request_route (kamailio script), e.g. to inject a 503.</summary>
    public IReadOnlyList<string> ExtraRouteLines { get; init; } = [];

    /// <summary>Extra domains kamailio treats as its own (alias=…, any port), e.g. "pbx.test" when DNS publishes it under that name.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Name in messages ("kamailio primary").</summary>
    public string Name { get; init; } = "kamailio";
}
