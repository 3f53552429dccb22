namespace Pipeline.Devices;

/// <summary>What a <see cref="WavFileSourceNode"/> does when it reaches the end of its file.</summary>
public enum WavEndBehavior
{
    /// <summary>Keep emitting frames of silence (the stream keeps its timing).</summary>
    Silence,

    /// <summary>Start again from the beginning, seamlessly.</summary>
    Loop,

    /// <summary>Emit nothing more (the last frame is padded with silence to a full tick).</summary>
    Stop,
}
