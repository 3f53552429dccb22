namespace Pipeline.Interop.Tests.Peers;

/// <summary>How to run one SIPp instance (see <see cref="SippPeer"/>).</summary>
internal sealed class SippOptions
{
    /// <summary>Scenario file: a name in the test output's Scenarios/ folder ("uac_rtp_stream.xml") or a full path.</summary>
    public required string Scenario { get; init; }

    /// <summary>Target "host:port" for a UAC scenario; null for a UAS scenario (SIPp then waits for calls).</summary>
    public string? Remote { get; init; }

    /// <summary>User part of the request URI (SIPp -s, the [service] keyword); also the UAS contact user.</summary>
    public string Service { get; init; } = "pipeline";

    /// <summary>Local SIP port (-p); null: a free one is picked (and re-picked if SIPp cannot bind it).</summary>
    public int? SipPort { get; init; }

    /// <summary>Local media port (-mp, even; SIPp also binds +2); null: a free block is picked.</summary>
    public int? MediaPort { get; init; }

    /// <summary>Calls to run before exiting (SIPp -m).</summary>
    public int Calls { get; init; } = 1;

    /// <summary>Length of &lt;pause/&gt; elements without a milliseconds attribute (SIPp -d): how long the UAC talks before BYE.</summary>
    public TimeSpan PauseDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Global SIPp timeout (-timeout with -timeout_error): SIPp exits with a failure after this.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Audio streamed by the scenario's rtp_stream action ({{RTP_STREAM}}): an 8 kHz mono WAV (PCM16, µ-law
    /// or A-law; converted to headerless G.711 of <see cref="PayloadType"/> because SIPp sends file bytes
    /// verbatim) or a headerless G.711 file. Write one with <see cref="TestAudio.WriteToneWav"/>.
    /// Null: the placeholder is left to <see cref="Variables"/> (or a scenario without rtp_stream).
    /// </summary>
    public string? RtpStreamFile { get; init; }

    /// <summary>
    /// Port written in SIPp's SDP m= line instead of its own media port ({{SDP_MEDIA_PORT}}): point the
    /// other side's RTP at an <see cref="RtpSink"/> to inspect it. SIPp's rtp_stream still sends from its own port.
    /// </summary>
    public int? SdpMediaPort { get; init; }

    /// <summary>RTP payload type of the offer/answer and of rtp_stream: 0 = PCMU, 8 = PCMA.</summary>
    public int PayloadType { get; init; }

    /// <summary>rtp_stream loops: 1 = play the file once, -1 = loop until the call ends.</summary>
    public int RtpStreamLoops { get; init; } = 1;

    /// <summary>Extra or overriding {{NAME}} → value replacements applied to the scenario text.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra SIPp arguments appended verbatim (e.g. "-key", "name", "value").</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Name in messages.</summary>
    public string Name { get; init; } = "sipp";
}
