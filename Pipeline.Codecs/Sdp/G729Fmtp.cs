namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The fmtp of G.729 (RFC 4856 §2.1.9, RFC 3551 §4.5.6): <c>annexb=yes|no</c> says whether Annex B (VAD/DTX with
/// comfort-noise frames) is in use. Absent means yes. Annex B is used only when both sides allow it, so the answer
/// says <c>no</c> when either side does (<see cref="Answer"/>), and both ends then follow the answer.
/// </summary>
/// <param name="AnnexB">Annex B in use.</param>
public sealed record G729Fmtp(bool AnnexB = true)
{
    /// <summary>Reads <c>annexb</c>; absent or anything but <c>no</c> (case-insensitive) is yes.</summary>
    public static G729Fmtp Parse(FmtpParameters fmtp)
    {
        ArgumentNullException.ThrowIfNull(fmtp);
        return new G729Fmtp(!(fmtp.TryGetValue("annexb", out var v) && string.Equals(v, "no", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Reads an fmtp text.</summary>
    public static G729Fmtp Parse(string? fmtp) => Parse(FmtpParameters.Parse(fmtp));

    /// <summary>The answer to <paramref name="offer"/> from a side whose own preference is <paramref name="local"/>:
    /// Annex B only when both allow it.</summary>
    public static G729Fmtp Answer(G729Fmtp offer, G729Fmtp local)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(local);
        return new G729Fmtp(offer.AnnexB && local.AnnexB);
    }

    /// <summary>The rule for <see cref="CodecInfo.AnswerFmtp"/>: the answer's fmtp from the offer's and ours.
    /// It writes <c>annexb=no</c> when Annex B is off and nothing when on (absent means yes).</summary>
    public static FmtpParameters AnswerRule(FmtpParameters offered, FmtpParameters local) =>
        Answer(Parse(offered), Parse(local)).ToFmtp();

    /// <summary><c>annexb=no</c>, or nothing for yes (the default).</summary>
    public FmtpParameters ToFmtp() => AnnexB ? FmtpParameters.Empty : FmtpParameters.Empty.With("annexb", "no");

    /// <summary>The fmtp text.</summary>
    public override string ToString() => ToFmtp().ToString();
}
