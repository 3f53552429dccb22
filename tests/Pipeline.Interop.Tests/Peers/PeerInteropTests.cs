namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// Real peers talking to each other, no Pipeline code involved: these prove the harness (SIPp and
/// baresip drivers, recordings, tone check) so that a failing interop test points at our code.
/// </summary>
public sealed class PeerInteropTests
{
    private static readonly TimeSpan Talk = TimeSpan.FromSeconds(3);

    [SkippableFact]
    public async Task Sipp_uac_streams_a_tone_that_baresip_records()
    {
        Tools.Require("sipp");
        await using var callee = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip callee", ToneHz = 1000 });
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone800.wav"), 800, TimeSpan.FromSeconds(5), WavEncoding.MuLaw);
            await using var sipp = await SippPeer.CallAsync(callee.HostPort, wav, Talk, payloadType: 0, service: "baresip");

            await sipp.AssertSucceededAsync(context: callee.Describe());
            await callee.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
            await callee.StopAsync();

            ToneCheck.AssertTone(callee.ReceivedRecording, 800, TimeSpan.FromSeconds(2), context: callee.Describe());
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Sipp_uac_streams_pcma_when_baresip_only_accepts_pcma()
    {
        Tools.Require("sipp");
        await using var callee = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip callee", Codecs = ["PCMA"] });
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone700.wav"), 700, TimeSpan.FromSeconds(5), WavEncoding.ALaw);
            await using var sipp = await SippPeer.CallAsync(callee.HostPort, wav, Talk, payloadType: 8, service: "baresip");

            await sipp.AssertSucceededAsync(context: callee.Describe());
            await callee.StopAsync();

            ToneCheck.AssertTone(callee.ReceivedRecording, 700, TimeSpan.FromSeconds(2), context: callee.Describe());
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Sipp_uas_answers_a_baresip_call_and_streams_a_tone()
    {
        Tools.Require("sipp");
        await using var caller = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip caller", ToneHz = 1000 });
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone900.wav"), 900, TimeSpan.FromSeconds(10), WavEncoding.MuLaw);
            await using var sipp = await SippPeer.AnswerAsync(wav, byeTimeout: TimeSpan.FromSeconds(15), service: "sipp");

            await caller.CallAsync(sipp.Uri);
            await Task.Delay(Talk);
            await caller.HangupAsync();
            await caller.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));

            await sipp.AssertSucceededAsync(context: caller.Describe());
            await caller.StopAsync();
            ToneCheck.AssertTone(caller.ReceivedRecording, 900, TimeSpan.FromSeconds(2), context: caller.Describe());
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task RtpSink_sees_baresip_rtp_when_sipp_answers_with_the_sinks_port()
    {
        Tools.Require("sipp");
        await using var sink = RtpSink.Start();
        await using var caller = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip caller", ToneHz = 1200 });
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone500.wav"), 500, TimeSpan.FromSeconds(10));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uas_rtp_stream.xml",
                Service = "sipp",
                RtpStreamFile = wav,
                SdpMediaPort = sink.Port,
            });

            await caller.CallAsync(sipp.Uri);
            await sink.WaitForPacketsAsync(100, TimeSpan.FromSeconds(5));
            await caller.HangupAsync();
            await sipp.AssertSucceededAsync(context: caller.Describe());
            await caller.StopAsync();

            var context = sink.Summary() + "\n" + caller.Describe();
            var packets = sink.Packets;
            Assert.True(packets.All(p => p.PayloadType == 0), context);
            Assert.Single(packets.Select(p => p.Ssrc).Distinct());
            Assert.Equal(0, sink.SequenceGaps());
            Assert.True(packets.Skip(1).Zip(packets).All(x => (uint)(x.First.Timestamp - x.Second.Timestamp) == 160), context);
            ToneCheck.AssertTone(sink.WriteWav(Path.Combine(dir, "sink.wav")), 1200, TimeSpan.FromSeconds(1.5), context: context);
            ToneCheck.AssertTone(caller.ReceivedRecording, 500, TimeSpan.FromSeconds(1), context: context);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task PacketCapture_sees_the_sip_exchange_and_rtp_both_ways()
    {
        Tools.Require("sipp");
        Tools.Require("tshark");
        await using var callee = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip callee" });
        var sipPort = FreePorts.UdpAndTcp();
        var mediaPort = FreePorts.Block(4, tcpToo: false, even: true);
        await using var capture = await PacketCapture.StartAsync(PacketCapture.UdpPorts(sipPort, mediaPort));
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(5));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_rtp_stream.xml",
                Remote = callee.HostPort,
                Service = "baresip",
                RtpStreamFile = wav,
                PauseDuration = TimeSpan.FromSeconds(2),
                SipPort = sipPort,
                MediaPort = mediaPort,
            });
            await sipp.AssertSucceededAsync(context: callee.Describe());
            await capture.StopAsync();

            var sip = await capture.SipSummaryAsync();
            var rtp = await capture.RtpPacketsAsync();
            var context = string.Join("\n", sip) + $"\n{rtp.Count} RTP packets\n" + callee.Describe();
            Assert.True(sip.Count(l => l.Contains("INVITE sip:baresip@", StringComparison.Ordinal)) == 1, context);
            Assert.Contains(sip, l => l.StartsWith($"{callee.SipPort}->{sipPort} SIP/2.0 200", StringComparison.Ordinal));
            Assert.Contains(sip, l => l.Contains($"->{callee.SipPort} BYE sip:", StringComparison.Ordinal));
            var fromSipp = rtp.Where(p => p.SourcePort == mediaPort).ToList();
            var toSipp = rtp.Where(p => p.DestinationPort == mediaPort).ToList();
            Assert.True(fromSipp.Count >= 80 && fromSipp.All(p => p.PayloadType == 0 && p.PayloadLength == 160), context);
            Assert.True(toSipp.Count >= 80 && toSipp.All(p => p.PayloadType == 0), context);
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableFact]
    public async Task Sipp_call_nobody_answers_fails_with_its_traces_in_the_message()
    {
        var dir = PeerDirectory.Create("tone");
        try
        {
            var wav = TestAudio.WriteToneWav(Path.Combine(dir, "tone.wav"), 800, TimeSpan.FromSeconds(1));
            await using var sipp = await SippPeer.StartAsync(new SippOptions
            {
                Scenario = "uac_rtp_stream.xml",
                Remote = $"127.0.0.1:{FreePorts.Udp()}",
                RtpStreamFile = wav,
                Timeout = TimeSpan.FromSeconds(4),
            });

            var ex = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => sipp.AssertSucceededAsync());

            Assert.NotEqual(0, (await sipp.WaitForExitAsync()).ExitCode);
            Assert.Contains("INVITE sip:pipeline@127.0.0.1", ex.Message, StringComparison.Ordinal); // the message log is included
        }
        finally
        {
            PeerDirectory.Remove(dir);
        }
    }

    [SkippableTheory]
    [InlineData("PCMU", false)]
    [InlineData("PCMA", true)]
    public async Task Baresip_calls_baresip_and_each_records_the_others_tone(string codec, bool bCallsA)
    {
        await using var a = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip A", User = "a", ToneHz = 600, Codecs = [codec] });
        await using var b = await BaresipPeer.StartAsync(new BaresipOptions { Name = "baresip B", User = "b", ToneHz = 1000, Codecs = [codec] });
        var (caller, callee) = bCallsA ? (b, a) : (a, b);

        await caller.CallAsync(callee.Uri);
        await callee.WaitForEventAsync("CALL_ESTABLISHED", TimeSpan.FromSeconds(5));
        await Task.Delay(Talk);
        await caller.HangupAsync();
        await caller.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
        await callee.WaitForEventAsync("CALL_CLOSED", TimeSpan.FromSeconds(5));
        await a.StopAsync();
        await b.StopAsync();

        var context = a.Describe() + "\n" + b.Describe();
        ToneCheck.AssertTone(a.ReceivedRecording, 1000, TimeSpan.FromSeconds(2), context: context);
        ToneCheck.AssertTone(b.ReceivedRecording, 600, TimeSpan.FromSeconds(2), context: context);
        ToneCheck.AssertTone(a.SentRecording, 600, TimeSpan.FromSeconds(2), context: context);
    }
}
