namespace Pipeline.Sip.Tests.Auth;

/// <summary>
/// A theory that needs kamailio. Without it the test is skipped with a message saying so, except under CI
/// (env CI=true), where it runs and fails: CI must have kamailio.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresKamailioTheoryAttribute : TheoryAttribute
{
    public RequiresKamailioTheoryAttribute()
    {
        if (KamailioDigestServer.FindBinary() is null && !KamailioDigestServer.IsCi)
        {
            Skip = "kamailio was not found (PATH, /usr/sbin, /usr/local/sbin), so this interop test cannot run here " +
                "(under CI=true it fails instead). Install kamailio to run it.";
        }
    }
}
