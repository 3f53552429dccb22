using Pipeline.Codecs.G729;

namespace Pipeline.Codecs.Tests.G729;

public class G729LibraryTests
{
    [Fact]
    public void Missing_library_error_names_the_library_and_the_debian_package()
    {
        var ex = Assert.Throws<DllNotFoundException>(() => Bcg729Library.Load("libbcg729-not-here.so.0"));
        Assert.Contains("libbcg729-not-here.so.0", ex.Message);
        Assert.Contains("libbcg729-0", ex.Message);
        Assert.Contains("G.729", ex.Message);
        Assert.False(Bcg729Library.TryLoad("libbcg729-not-here.so.0", out var lib, out var error));
        Assert.Null(lib);
        Assert.Equal(ex.Message, error);
    }

    [RequiresToolFact("ffmpeg")] // ffmpeg's presence says the Debian media libraries (libopus.so.0 among them) are here
    public void A_library_without_the_bcg729_entry_points_is_refused_with_the_missing_symbol()
    {
        var ex = Assert.Throws<DllNotFoundException>(() => Bcg729Library.Load("libopus.so.0"));
        Assert.Contains("not a usable bcg729", ex.Message);
        Assert.Contains("libbcg729-0", ex.Message);
    }

    [RequiresBcg729Fact]
    public void Installed_library_is_available_and_reports_no_reason()
    {
        Assert.True(G729Codec.IsAvailable);
        Assert.Null(G729Codec.UnavailableReason);
        Assert.Equal("libbcg729.so.0", G729Codec.LibraryName);
        Assert.Equal("libbcg729-0", G729Codec.PackageName);
    }
}
