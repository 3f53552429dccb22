using Pipeline.Codecs.Opus;

namespace Pipeline.Codecs.Tests.Opus;

public sealed class OpusNativeLibraryTests
{
    [Fact]
    public void A_missing_native_library_is_reported_by_name_with_the_debian_package_to_install()
    {
        var ex = Assert.Throws<DllNotFoundException>(() => LibOpus.Load("libopus-not-here.so.0"));
        Assert.Contains("'libopus-not-here.so.0'", ex.Message);
        Assert.Contains("libopus0", ex.Message);
        Assert.Contains("apt-get install libopus0", ex.Message);
        Assert.Contains("Managed", ex.Message); // and the way out: the Concentus implementation
    }

    [RequiresLibOpusFact]
    public void The_real_library_loads_by_its_debian_soname()
    {
        Assert.Equal("libopus.so.0", LibOpus.LibraryName);
        Assert.NotEqual(0, LibOpus.Load(LibOpus.LibraryName));
        Assert.True(OpusCodec.IsNativeAvailable);
        Assert.Equal("invalid argument", LibOpus.ErrorString(LibOpus.OPUS_BAD_ARG));
    }

    [Fact]
    public void Without_libopus_auto_falls_back_to_concentus_and_native_fails_with_the_clear_message()
    {
        Assert.Equal(OpusImplementation.Managed, OpusCodec.Resolve(OpusImplementation.Auto, nativeAvailable: false));
        Assert.Equal(OpusImplementation.Native, OpusCodec.Resolve(OpusImplementation.Auto, nativeAvailable: true));
        Assert.Equal(OpusImplementation.Managed, OpusCodec.Resolve(OpusImplementation.Managed, nativeAvailable: true));
        var ex = Assert.Throws<DllNotFoundException>(() => OpusCodec.Resolve(OpusImplementation.Native, nativeAvailable: false));
        Assert.Contains("'libopus.so.0'", ex.Message);
        Assert.Contains("libopus0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OpusCodec.Resolve((OpusImplementation)9, nativeAvailable: true));
    }
}
