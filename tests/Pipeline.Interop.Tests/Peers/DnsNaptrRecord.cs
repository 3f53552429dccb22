namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// A NAPTR record served by <see cref="DnsmasqPeer"/> (dnsmasq --naptr-record), e.g.
/// <c>new("example.test", 10, 50, "s", "SIP+D2U", "_sip._udp.example.test")</c>.
/// </summary>
/// <param name="Name">Owner name (the SIP domain).</param>
/// <param name="Order">Order (lower first).</param>
/// <param name="Preference">Preference among equal orders (lower first).</param>
/// <param name="Flags">"s" (next lookup is SRV), "a" (A/AAAA), "" (another NAPTR).</param>
/// <param name="Service">"SIP+D2U", "SIP+D2T", "SIPS+D2T"…</param>
/// <param name="Replacement">Replacement domain (the SRV name for flag "s").</param>
/// <param name="Regexp">Regexp field (empty for SIP).</param>
internal sealed record DnsNaptrRecord(string Name, int Order, int Preference, string Flags, string Service, string Replacement, string Regexp = "");
