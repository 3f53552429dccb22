using Pipeline.Codecs.G729;

namespace Pipeline.Codecs.Tests.G729;

/// <summary>
/// A fact that needs bcg729 (<c>libbcg729.so.0</c>) and optionally an external tool. When one is missing the test is
/// skipped with a message saying so, except under CI (env CI=true), where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresBcg729FactAttribute : FactAttribute
{
    public RequiresBcg729FactAttribute(string? tool = null)
    {
        Skip = ExternalTool.IsCi ? null
            : !G729Codec.IsAvailable ? $"bcg729 is not available, so this test cannot run here (under CI=true it fails instead): {G729Codec.UnavailableReason}"
            : tool is null ? null
            : ExternalTool.SkipReason(tool);
    }
}
