namespace Pipeline.Interop.Tests.Peers;

/// <summary>How to configure one baresip instance (see <see cref="BaresipPeer"/>).</summary>
internal sealed class BaresipOptions
{
    /// <summary>User part of its address of record: sip:USER@127.0.0.1:PORT.</summary>
    public string User { get; init; } = "baresip";

    /// <summary>
    /// What it sends: an 8 kHz mono 16-bit PCM WAV (baresip's aufile source rejects anything else).
    /// Null: a tone of <see cref="ToneHz"/> lasting <see cref="SourceDuration"/> is generated.
    /// Pitfall: when the file ends, baresip hangs the call up ("audio error … end of file").
    /// </summary>
    public string? AudioSourceFile { get; init; }

    /// <summary>Tone sent when <see cref="AudioSourceFile"/> is null.</summary>
    public double ToneHz { get; init; } = 1000;

    /// <summary>Length of the generated tone, which is also the longest a call can last.</summary>
    public TimeSpan SourceDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Audio codecs offered/accepted, in order ("PCMU", "PCMA", "G722", "opus"). g711 is always loaded; the
    /// module of each other codec named here (g722.so, opus.so) is loaded too.</summary>
    public IReadOnlyList<string> Codecs { get; init; } = ["PCMU"];

    /// <summary>Sample rate of the generated tone file (and of baresip's audio source, <c>ausrc_srate</c>); baresip
    /// resamples to the codec's rate. Default 8000.</summary>
    public int SourceSampleRate { get; init; } = 8000;

    /// <summary>Channels of the generated tone file: baresip's aufile wants the codec's channel count (2 for opus/48000/2).</summary>
    public int SourceChannels { get; init; } = 1;

    /// <summary>Answer incoming calls at once (account answermode=auto); false: they ring until "accept".</summary>
    public bool AutoAnswer { get; init; } = true;

    /// <summary>Extra lines appended to the generated config file.</summary>
    public IReadOnlyList<string> ExtraConfigLines { get; init; } = [];

    /// <summary>Extra ";name=value" account parameters appended to the account line.</summary>
    public string ExtraAccountParameters { get; init; } = string.Empty;

    /// <summary>Print every SIP message it sends and receives (baresip -s) into its output, so failure messages show the SIP exchange.</summary>
    public bool SipTrace { get; init; } = true;

    /// <summary>Name in messages ("baresip A").</summary>
    public string Name { get; init; } = "baresip";
}
