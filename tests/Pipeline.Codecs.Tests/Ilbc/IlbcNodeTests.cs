using Pipeline.Codecs.Ilbc;
using Pipeline.Core.Graph;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Ilbc;

public class IlbcNodeTests
{
    [Fact]
    public async Task Encoder_and_decoder_nodes_carry_30ms_iLBC_packets_and_conceal_a_lost_one()
    {
        const int pt = 97; // dynamic
        var graph = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(10), manual: true));
        var enc = graph.Add(new AudioEncoderNode("enc", new IlbcEncoder(IlbcMode.Ms30), pt, TimeSpan.FromMilliseconds(30), new RtpTimestamp(7000)));
        var packets = graph.Add(new CollectorNode<EncodedFrame>());
        graph.Connect(enc.Output, packets.Input);
        graph.Start();
        var pcm = IlbcTestSignals.Voiced(0.12);
        for (int i = 0; i < 12; i++)
        {
            // 10 ms frames gathered into 30 ms packets.
            var f = AudioFrame.Rent(SampleRate.Hz8000, 80);
            pcm.AsSpan(i * 80, 80).CopyTo(f.Samples);
            f.Position = i * 80;
            enc.Input.Write(f);
        }

        await Poll.UntilAsync(() => packets.Items.Count == 4, "4 packets");
        await graph.StopAsync();
        var sent = packets.Items.ToArray();
        Assert.Equal([7000u, 7240u, 7480u, 7720u], sent.Select(p => p.Timestamp.Value));
        Assert.All(sent, p => Assert.Equal(50, p.Length));
        Assert.All(sent, p => Assert.Equal(240u, p.DurationUnits));
        Assert.Equal(IlbcEncoderOracleTests.Encode(IlbcMode.Ms30, pcm[..960]), sent.SelectMany(p => p.Payload.ToArray()).ToArray());

        var graph2 = new MediaGraph(new MediaClock(TimeSpan.FromMilliseconds(10), manual: true));
        var dec = graph2.Add(new AudioDecoderNode("dec", pt, new IlbcDecoder(IlbcMode.Ms30)));
        var audio = graph2.Add(new CollectorNode<AudioFrame>());
        graph2.Connect(dec.Output, audio.Input);
        graph2.Start();
        for (int i = 0; i < 4; i++)
        {
            bool lost = i == 2;
            var p = EncodedFrame.Rent(lost ? 0 : 50);
            if (!lost) sent[i].Payload.CopyTo(p.Payload);
            p.PayloadType = pt;
            p.IsLost = lost;
            p.Timestamp = sent[i].Timestamp;
            p.DurationUnits = 240;
            dec.Input.Write(p);
        }

        await Poll.UntilAsync(() => audio.Items.Count == 4, "4 frames");
        await graph2.StopAsync();
        var frames = audio.Items.ToArray();
        Assert.All(frames, f => Assert.Equal(240, f.Samples.Length));
        Assert.Equal([false, false, true, false], frames.Select(f => f.IsConcealment));
        Assert.True(IlbcMeasure.Rms(frames[2].Samples) > 10, "the lost frame carries concealment audio");
        foreach (var p in sent) p.Dispose();
        foreach (var f in frames) f.Dispose();
    }
}
