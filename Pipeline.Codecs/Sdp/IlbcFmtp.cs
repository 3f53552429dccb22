namespace Pipeline.Codecs.Sdp;

/// <summary>
/// The fmtp of iLBC (RFC 3952 §5): <c>mode=20</c> or <c>mode=30</c> (frame length in ms). Absent (or any other value)
/// means 30. Both directions use one mode: the answer says 30 when either side says 30, 20 only when both say 20
/// (<see cref="Answer"/>).
/// </summary>
/// <param name="Mode">Frame length in ms: 20 or 30.</param>
public sealed record IlbcFmtp(int Mode = 30)
{
    /// <summary>The frame length as a time.</summary>
    public TimeSpan FrameDuration => TimeSpan.FromMilliseconds(Mode);

    /// <summary>Reads <c>mode</c>: 20 only when it says 20, else 30.</summary>
    public static IlbcFmtp Parse(FmtpParameters fmtp)
    {
        ArgumentNullException.ThrowIfNull(fmtp);
        return new IlbcFmtp(fmtp.GetInt32("mode") == 20 ? 20 : 30);
    }

    /// <summary>Reads an fmtp text.</summary>
    public static IlbcFmtp Parse(string? fmtp) => Parse(FmtpParameters.Parse(fmtp));

    /// <summary>The answer's mode: 30 if either side says 30.</summary>
    public static IlbcFmtp Answer(IlbcFmtp offer, IlbcFmtp local)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(local);
        return new IlbcFmtp(offer.Mode == 20 && local.Mode == 20 ? 20 : 30);
    }

    /// <summary>The rule for <see cref="CodecInfo.AnswerFmtp"/>.</summary>
    public static FmtpParameters AnswerRule(FmtpParameters offered, FmtpParameters local) =>
        Answer(Parse(offered), Parse(local)).ToFmtp();

    /// <summary><c>mode=20</c> or <c>mode=30</c> (always written: some peers assume 20 when it is absent).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The mode is not 20 or 30.</exception>
    public FmtpParameters ToFmtp() => Mode is 20 or 30
        ? FmtpParameters.Empty.With("mode", Mode)
        : throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "iLBC mode must be 20 or 30 (RFC 3952).");

    /// <summary>The fmtp text.</summary>
    public override string ToString() => ToFmtp().ToString();
}
