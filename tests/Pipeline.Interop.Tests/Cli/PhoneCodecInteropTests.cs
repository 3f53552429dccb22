using System.Text.Json;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>
/// The <c>phone</c> CLI against baresip with codecs other than G.711, in both directions, audio checked in both
/// recordings. One InlineData per codec: baresip loads the codec's module (g722.so, opus.so) by itself.
/// The tones are inside the codec's band; G.722's 5 kHz tone can only arrive if the call is really wideband.
/// </summary>
public sealed class PhoneCodecInteropTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-codec-" + Guid.NewGuid().ToString("N")[..8]);

    public PhoneCodecInteropTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_KEEP_PEER_FILES") == "1") return;
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<(PeerProcess Phone, int Port)> StartPhoneAsync(params string[] extra)
    {
        int rtp = FreePorts.Block(20, tcpToo: false, even: true);
        for (int attempt = 0; ; attempt++)
        {
            int port = FreePorts.Udp();
            var args = new List<string> { "phone", "--bind", $"127.0.0.1:{port}", "--rtp-ports", $"{rtp}-{rtp + 19}", "--events" };
            args.AddRange(extra);
            var phone = PipelineCli.Start("phone", [.. args]);
            try
            {
                await phone.WaitForLineAsync(l => l.Contains("phone: listening", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
                return (phone, port);
            }
            catch when (attempt < 2 && phone.HasExited)
            {
                await phone.DisposeAsync();
            }
        }
    }

    private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : string.Empty;

    [SkippableTheory]
    [InlineData("G722", 16000, 5000, 700)]
    [InlineData("opus", 48000, 12000, 700)]
    public async Task Baresip_calls_phone_and_each_hears_the_others_tone(string codec, int baresipRate, double phoneHz, double baresipHz)
    {
        Tools.Require("baresip");
        string rec = Path.Combine(_dir, "rec");
        var (phone, port) = await StartPhoneAsync("--auto-answer", "--record", rec, "--tone", phoneHz.ToString(System.Globalization.CultureInfo.InvariantCulture), "--codecs", codec);
        await using var _ = phone;
        await using var baresip = await BaresipPeer.StartAsync(new BaresipOptions { User = "b", ToneHz = baresipHz, Codecs = [codec], SourceSampleRate = baresipRate, SourceChannels = codec == "opus" ? 2 : 1 });

        await baresip.CallAsync($"sip:pipeline@127.0.0.1:{port}", TimeSpan.FromSeconds(10));
        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(5));
        Assert.Equal(codec, Str(established, "codec"), ignoreCase: true);
        await Task.Delay(3000);
        await baresip.HangupAsync();
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        await baresip.StopAsync();

        Assert.True(ended.GetProperty("rtpReceived").GetInt64() >= 120, phone.Describe());
        string recording = await PhoneRecording.SingleAsync(rec, phone.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 0), baresipHz, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
        ToneCheck.AssertTone(baresip.ReceivedRecording, phoneHz, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
    }

    [SkippableTheory]
    [InlineData("G722", 16000, 5000, 700)]
    [InlineData("opus", 48000, 12000, 700)]
    public async Task Phone_calls_baresip_and_each_hears_the_others_tone(string codec, int baresipRate, double phoneHz, double baresipHz)
    {
        Tools.Require("baresip");
        await using var baresip = await BaresipPeer.StartAsync(new BaresipOptions { User = "b", ToneHz = baresipHz, Codecs = [codec], SourceSampleRate = baresipRate, SourceChannels = codec == "opus" ? 2 : 1 });
        string rec = Path.Combine(_dir, "rec");
        var (phone, _) = await StartPhoneAsync("--call", baresip.Uri, "--tone", phoneHz.ToString(System.Globalization.CultureInfo.InvariantCulture), "--record", rec, "--codecs", codec, "--hangup-after", "4");
        await using var __ = phone;

        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(10));
        Assert.Equal(codec, Str(established, "codec"), ignoreCase: true);
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        Assert.Equal("local-hangup", Str(ended, "reason"));
        await baresip.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
        await baresip.StopAsync();

        string recording = await PhoneRecording.SingleAsync(rec, phone.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 0), baresipHz, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 1), phoneHz, TimeSpan.FromSeconds(2), context: phone.Describe());
        ToneCheck.AssertTone(baresip.ReceivedRecording, phoneHz, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
    }
}
