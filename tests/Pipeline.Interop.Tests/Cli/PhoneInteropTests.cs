using System.Text.Json;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>
/// The <c>phone</c> CLI against peers nobody here wrote: SIPp as the calling server streaming audio,
/// and baresip as a softphone in both directions. Audio is checked in the recordings on both sides.
/// </summary>
public sealed class PhoneInteropTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipeline-phone-" + Guid.NewGuid().ToString("N")[..8]);

    public PhoneInteropTests() => Directory.CreateDirectory(_dir);

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

    private static Task<(PeerProcess Phone, int Port)> StartPhoneAsync(params string[] extra) => StartPhoneAsync(FreePorts.Block(20, tcpToo: false, even: true), extra);

    private static async Task<(PeerProcess Phone, int Port)> StartPhoneAsync(int rtp, params string[] extra)
    {
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
                await phone.DisposeAsync(); // port raced away: try another
            }
        }
    }

    private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : string.Empty;

    [SkippableFact]
    public async Task Sipp_calls_phone_with_rtp_stream_and_the_recording_holds_that_audio()
    {
        Tools.Require("sipp");
        string rec = Path.Combine(_dir, "rec");
        var (phone, port) = await StartPhoneAsync("--auto-answer", "--record", rec, "--codecs", "PCMU");
        await using var _ = phone;
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "sipp-800.wav"), 800, TimeSpan.FromSeconds(5));

        await using var sipp = await SippPeer.CallAsync($"127.0.0.1:{port}", wav, TimeSpan.FromSeconds(3));
        await sipp.AssertSucceededAsync(TimeSpan.FromSeconds(30), context: phone.Describe());

        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(5));
        Assert.Equal("PCMU", Str(established, "codec"));
        Assert.Equal($"127.0.0.1:{sipp.MediaPort}", Str(established, "remote"));
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        Assert.Equal("remote-hangup", Str(ended, "reason"));
        Assert.True(ended.GetProperty("rtpReceived").GetInt64() >= 120, $"phone received {ended.GetProperty("rtpReceived")} RTP packets from SIPp in 3 s\n{phone.Describe()}");
        Assert.InRange(ended.GetProperty("concealed").GetInt64(), 0, ended.GetProperty("rtpReceived").GetInt64() / 4); // loopback: little concealed
        Assert.Equal(0, ended.GetProperty("fecRecovered").GetInt64()); // PCMU has no in-band FEC

        string recording = await PhoneRecording.SingleAsync(rec, phone.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 0), 800, TimeSpan.FromSeconds(2), context: phone.Describe());
    }

    [SkippableFact]
    public async Task Baresip_calls_phone_and_audio_flows_both_ways()
    {
        Tools.Require("baresip");
        string rec = Path.Combine(_dir, "rec");
        var (phone, port) = await StartPhoneAsync("--auto-answer", "--record", rec, "--tone", "1000", "--codecs", "PCMU");
        await using var _ = phone;
        await using var baresip = await BaresipPeer.StartAsync(new BaresipOptions { User = "b", ToneHz = 600, Codecs = ["PCMU"] });

        await baresip.CallAsync($"sip:pipeline@127.0.0.1:{port}", TimeSpan.FromSeconds(10));
        var incoming = await phone.WaitForJsonAsync("event", "incoming", TimeSpan.FromSeconds(5));
        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(5));
        Assert.Equal(Str(incoming, "call"), Str(established, "call"));
        Assert.Equal("PCMU", Str(established, "codec"));
        await Task.Delay(3000);
        await baresip.HangupAsync();
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        await baresip.StopAsync();

        Assert.True(ended.GetProperty("rtpSent").GetInt64() >= 120, phone.Describe());
        Assert.True(ended.GetProperty("rtpReceived").GetInt64() >= 120, phone.Describe());
        string recording = await PhoneRecording.SingleAsync(rec, phone.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 0), 600, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
        ToneCheck.AssertTone(baresip.ReceivedRecording, 1000, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
    }

    [SkippableFact]
    public async Task Phone_calls_baresip_and_audio_flows_both_ways()
    {
        Tools.Require("baresip");
        await using var baresip = await BaresipPeer.StartAsync(new BaresipOptions { User = "b", ToneHz = 600, Codecs = ["PCMU"] });
        string rec = Path.Combine(_dir, "rec");
        var (phone, _) = await StartPhoneAsync("--call", baresip.Uri, "--tone", "1000", "--record", rec, "--codecs", "PCMU", "--hangup-after", "3");
        await using var __ = phone;

        var established = await phone.WaitForJsonAsync("event", "established", TimeSpan.FromSeconds(10));
        Assert.Equal("PCMU", Str(established, "codec"));
        var ended = await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        Assert.Equal("local-hangup", Str(ended, "reason"));
        await baresip.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
        await baresip.StopAsync();

        string recording = await PhoneRecording.SingleAsync(rec, phone.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 0), 600, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(recording, 1), 1000, TimeSpan.FromSeconds(2), context: phone.Describe());
        ToneCheck.AssertTone(baresip.ReceivedRecording, 1000, TimeSpan.FromSeconds(2), context: phone.Describe() + baresip.Describe());
    }

    [SkippableFact]
    public async Task What_phone_puts_on_the_wire_decodes_cleanly_in_tshark()
    {
        Tools.Require("sipp");
        Tools.Require("tshark");
        int rtp = FreePorts.Block(20, tcpToo: false, even: true);
        var (phone, port) = await StartPhoneAsync(rtp, "--auto-answer", "--tone", "1000", "--codecs", "PCMU");
        await using var _ = phone;
        await using var capture = await PacketCapture.StartAsync($"udp port {port} or udp portrange {rtp}-{rtp + 19}");
        string wav = TestAudio.WriteToneWav(Path.Combine(_dir, "sipp-800.wav"), 800, TimeSpan.FromSeconds(5));
        await using var sipp = await SippPeer.CallAsync($"127.0.0.1:{port}", wav, TimeSpan.FromSeconds(3));
        await sipp.AssertSucceededAsync(TimeSpan.FromSeconds(30), context: phone.Describe());
        await phone.WaitForJsonAsync("event", "ended", TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        var sip = await capture.SipSummaryAsync();
        string from = port + "->";
        Assert.Contains(sip, l => l.StartsWith(from, StringComparison.Ordinal) && l.Contains("SIP/2.0 200 OK", StringComparison.Ordinal));
        Assert.Equal(2, sip.Count(l => l.StartsWith(from, StringComparison.Ordinal) && l.Contains("SIP/2.0 200 OK", StringComparison.Ordinal))); // INVITE and BYE
        var malformed = await capture.ReadFieldsAsync("_ws.malformed", "frame.number", "_ws.col.Protocol");
        Assert.True(malformed.Count == 0, "tshark found malformed packets: " + string.Join("; ", malformed.Select(r => string.Join(' ', r))));

        var ours = (await capture.RtpPacketsAsync()).Where(p => p.SourcePort >= rtp && p.SourcePort < rtp + 20).ToList();
        Assert.True(ours.Count >= 120, $"phone sent {ours.Count} RTP packets in a 3 s call\n{string.Join('\n', sip)}");
        Assert.All(ours, p => Assert.Equal(0, p.PayloadType));
        Assert.Single(ours.Select(p => p.Ssrc).Distinct());
        Assert.True(ours[0].Marker, "the first RTP packet of a talkspurt carries the marker bit");
        for (int i = 1; i < ours.Count; i++)
        {
            Assert.Equal((ushort)(ours[i - 1].Sequence + 1), ours[i].Sequence);
            Assert.Equal(ours[i - 1].Timestamp + 160, ours[i].Timestamp);
            Assert.Equal(160, ours[i].PayloadLength);
        }
    }

    [Fact]
    public async Task Demo_exits_0_within_15_s_and_its_recording_carries_the_tone()
    {
        string wav = Path.Combine(_dir, "demo.wav");
        await using var demo = PipelineCli.Start("demo", "demo", "--out", wav);
        int code = await demo.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(code == 0, demo.Describe());
        ToneCheck.AssertTone(PhoneRecording.ExtractChannel(wav, 0), 1000, TimeSpan.FromSeconds(2), context: demo.Describe());
    }

    [Fact]
    public async Task Phone_rejects_a_bad_option_with_a_message_naming_it()
    {
        await using var phone = PipelineCli.Start("phone", "phone", "--rtp-ports", "9-8");
        int code = await phone.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(2, code);
        Assert.Contains(phone.Lines, l => l.Contains("--rtp-ports", StringComparison.Ordinal));
    }
}
