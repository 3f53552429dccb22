using System.Diagnostics;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>The harness helpers themselves: tone check, WAV/G.711 helpers, ports, process capture.</summary>
public sealed class HarnessTests : IDisposable
{
    private readonly string _dir = PeerDirectory.Create("harness");

    public void Dispose() => PeerDirectory.Remove(_dir);

    [Theory]
    [InlineData(WavEncoding.Pcm16)]
    [InlineData(WavEncoding.MuLaw)]
    [InlineData(WavEncoding.ALaw)]
    public void ToneCheck_finds_the_written_tone_and_rejects_another(WavEncoding encoding)
    {
        var wav = TestAudio.WriteToneWav(Path.Combine(_dir, $"t-{encoding}.wav"), 800, TimeSpan.FromSeconds(2), encoding);

        var report = ToneCheck.AssertTone(wav, 800, TimeSpan.FromSeconds(1.5));
        Assert.Equal(8000, report.SampleRate);
        Assert.Equal(16000, report.SampleCount);

        var ex = Assert.Throws<Xunit.Sdk.XunitException>(() => ToneCheck.AssertTone(wav, 1000));
        Assert.Contains("800x", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToneCheck_rejects_silence()
    {
        var wav = Path.Combine(_dir, "silence.wav");
        TestAudio.WriteWav(wav, new short[16000], 8000, WavEncoding.Pcm16);

        var report = ToneCheck.Analyse(wav, 800);

        Assert.Equal(0, report.LoudWindows);
        Assert.Throws<Xunit.Sdk.XunitException>(() => ToneCheck.AssertTone(wav, 800));
    }

    [Fact]
    public void ToneCheck_reads_each_channel_of_a_stereo_file()
    {
        // Stereo PCM16 written by hand: left 600 Hz, right 1000 Hz.
        var left = new short[16000];
        var right = new short[16000];
        for (var i = 0; i < left.Length; i++)
        {
            left[i] = (short)(Math.Sin(2 * Math.PI * 600 * i / 8000) * 16000);
            right[i] = (short)(Math.Sin(2 * Math.PI * 1000 * i / 8000) * 16000);
        }

        var data = new byte[left.Length * 4];
        for (var i = 0; i < left.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 4), left[i]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan((i * 4) + 2), right[i]);
        }

        var header = new byte[44];
        "RIFF"u8.CopyTo(header);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 36 + data.Length);
        "WAVEfmt "u8.CopyTo(header.AsSpan(8));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), 16);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(20), 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(22), 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), 8000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), 32000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(32), 4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(34), 16);
        "data"u8.CopyTo(header.AsSpan(36));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(40), data.Length);
        var wav = Path.Combine(_dir, "stereo.wav");
        File.WriteAllBytes(wav, [.. header, .. data]);

        ToneCheck.AssertTone(wav, 600, TimeSpan.FromSeconds(1.5), channel: 0);
        ToneCheck.AssertTone(wav, 1000, TimeSpan.FromSeconds(1.5), channel: 1);
        Assert.Throws<Xunit.Sdk.XunitException>(() => ToneCheck.AssertTone(wav, 600, channel: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TestAudio.ReadWav(wav, out _, channel: 2));
    }

    [Fact]
    public void G711_round_trip_stays_within_one_quantisation_step()
    {
        Assert.Equal(0xFF, TestG711.LinearToMuLaw(0));
        Assert.Equal(0xD5, TestG711.LinearToALaw(0));
        for (var x = -32768; x <= 32767; x += 7)
        {
            var s = (short)x;
            var tolerance = Math.Max(40, Math.Abs(x) / 14);
            Assert.InRange(TestG711.MuLawToLinear(TestG711.LinearToMuLaw(s)) - x, -tolerance, tolerance);
            Assert.InRange(TestG711.ALawToLinear(TestG711.LinearToALaw(s)) - x, -tolerance, tolerance);
        }
    }

    [Fact]
    public void FreePorts_hands_out_distinct_even_rtp_pairs()
    {
        var a = FreePorts.RtpPair();
        var b = FreePorts.RtpPair();

        Assert.Equal(0, a % 2);
        Assert.Equal(0, b % 2);
        Assert.NotEqual(a, b);
        Assert.True(FreePorts.IsUdpFree(a) && FreePorts.IsUdpFree(a + 1));
    }

    [Fact]
    public void Tools_require_of_a_missing_tool_skips_or_fails_under_ci_and_says_how_to_install()
    {
        Assert.NotNull(Tools.Find("sh"));

        var ex = Record.Exception(() => Tools.Require("no-such-tool-pipeline"));

        Assert.NotNull(ex);
        Assert.IsType(Tools.IsCi ? typeof(Xunit.Sdk.XunitException) : typeof(SkipException), ex);
        Assert.Contains("./test.sh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerProcess_waits_for_a_line_and_reports_output_on_timeout()
    {
        await using var p = PeerProcess.Start("sh", "/bin/sh", ["-c", "echo hello; echo oops >&2; sleep 30"]);

        Assert.Equal("hello", await p.WaitForLineAsync("hel", TimeSpan.FromSeconds(5)));
        Assert.Equal("oops", await p.WaitForLineAsync("oops", TimeSpan.FromSeconds(5)));
        var ex = await Assert.ThrowsAsync<PeerException>(() => p.WaitForLineAsync("never", TimeSpan.FromMilliseconds(200)));
        Assert.Contains("hello", ex.Message, StringComparison.Ordinal);
        Assert.Contains("running", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeerProcess_reports_exit_before_the_line()
    {
        await using var p = PeerProcess.Start("sh", "/bin/sh", ["-c", "echo bye; exit 3"]);

        var ex = await Assert.ThrowsAsync<PeerException>(() => p.WaitForLineAsync("never", TimeSpan.FromSeconds(10)));

        Assert.Contains("exited before printing", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, await p.WaitForExitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task PeerProcess_dispose_kills_the_process_tree()
    {
        var p = PeerProcess.Start("sh", "/bin/sh", ["-c", "sleep 60 & echo child $!; wait"]);
        var line = await p.WaitForLineAsync("child", TimeSpan.FromSeconds(5));
        var childPid = int.Parse(line["child ".Length..], System.Globalization.CultureInfo.InvariantCulture);

        await p.DisposeAsync();

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (IsAlive(childPid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(IsAlive(childPid), $"child {childPid} survived dispose");
    }

    [Fact]
    public async Task PeerProcess_waits_for_a_json_event_line()
    {
        await using var p = PeerProcess.Start("sh", "/bin/sh", ["-c", "echo 'log text'; echo '{\"event\":\"ringing\"}'; echo '{\"event\":\"established\",\"codec\":\"PCMU\"}'; sleep 30"]);

        var e = await p.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(5));

        Assert.Equal("PCMU", e.GetProperty("codec").GetString());
        Assert.Equal(2, p.JsonLines.Count);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
