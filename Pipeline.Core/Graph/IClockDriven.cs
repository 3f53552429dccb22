namespace Pipeline.Core.Graph;

/// <summary>A node that acts on the shared clock's beat: sources that produce a frame per tick,
/// jitter buffers that release one. <see cref="OnTick"/> runs on the clock thread and must not block:
/// it hands frames on with <see cref="OutputPort{T}.Emit"/> and returns.</summary>
public interface IClockDriven
{
    void OnTick(in MediaTick tick);
}
