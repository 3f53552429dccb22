namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Scratch folders for peers (configs, traces, recordings) under $TMPDIR/pipeline-interop/.
/// Removed on dispose unless PIPELINE_KEEP_PEER_FILES=1, which keeps them for a post-mortem.
/// </summary>
internal static class PeerDirectory
{
    /// <summary>True when peer files are kept after the test (env PIPELINE_KEEP_PEER_FILES=1).</summary>
    public static bool Keep => Environment.GetEnvironmentVariable("PIPELINE_KEEP_PEER_FILES") == "1";

    /// <summary>Creates a new empty folder named after <paramref name="prefix"/>.</summary>
    public static string Create(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pipeline-interop", $"{prefix}-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}"[..(prefix.Length + 16)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Deletes <paramref name="dir"/> (best effort) unless files are kept.</summary>
    public static void Remove(string dir)
    {
        if (Keep)
        {
            return;
        }

        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Full path of a file shipped in the test output's Scenarios/ folder (or the path itself if rooted).</summary>
    public static string Scenario(string nameOrPath)
    {
        var path = Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.Combine(AppContext.BaseDirectory, "Scenarios", nameOrPath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"scenario file not found: {path} (is it marked CopyToOutputDirectory?)", path);
        }

        return path;
    }
}
