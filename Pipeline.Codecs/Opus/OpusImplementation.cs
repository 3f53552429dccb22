namespace Pipeline.Codecs.Opus;

/// <summary>Which Opus implementation an encoder or decoder runs on.</summary>
public enum OpusImplementation
{
    /// <summary>The native library when it can be loaded (<see cref="OpusCodec.IsNativeAvailable"/>), otherwise the managed one.</summary>
    Auto = 0,

    /// <summary>Debian's libopus (<c>libopus.so.0</c>, package <c>libopus0</c>) through P/Invoke. Fails when it cannot be loaded.</summary>
    Native = 1,

    /// <summary>Concentus, a C# port of libopus: works everywhere, slower, and allocates per frame.</summary>
    Managed = 2,
}
