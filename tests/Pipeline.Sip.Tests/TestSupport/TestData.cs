namespace Pipeline.Sip.Tests.TestSupport;

/// <summary>Locates the shared torture-test files (PIPELINE_TESTDATA overrides /work/shared/testdata).</summary>
internal static class TestData
{
    public static string Root => Environment.GetEnvironmentVariable("PIPELINE_TESTDATA") is { Length: > 0 } r ? r : "/work/shared/testdata";

    public static string Rfc4475Dir => Path.Combine(Root, "sip", "rfc4475");

    public static string Rfc5118Dir => Path.Combine(Root, "sip", "rfc5118");

    public static byte[] Rfc4475(string name) => File.ReadAllBytes(Path.Combine(Rfc4475Dir, name + ".dat"));
}
