using System.Net;
using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;
using Pipeline.Sip.Transactions;
using Xunit.Abstractions;

namespace Pipeline.Sip.Tests.Transactions;

/// <summary>Runs alone (no other test allocating in the process meanwhile), so that the heap difference is this table's.</summary>
[CollectionDefinition(nameof(LingeringMemoryTests), DisableParallelization = true)]
public sealed class LingeringMemoryCollection
{
}

/// <summary>What a completed server transaction costs once it is a compact record.</summary>
[Collection(nameof(LingeringMemoryTests))]
public sealed class LingeringMemoryTests(ITestOutputHelper output)
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5070);
    private readonly ManualTimeProvider _time = new();

    /// <summary>What SIPp's uac sends (BYE in dialog, INVITE out of dialog).</summary>
    private static SipRequest Request(string method, int i)
    {
        var toTag = method == "BYE" ? ";tag=f4ff79989fb31b5e" : "";
        var text = $"{method} sip:service@127.0.0.1:5099 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:22156;branch=z9hG4bK-29854-{i}-{(method == "BYE" ? 5 : 0)}\r\nMax-Forwards: 70\r\n" +
                   $"From: <sip:sipp@127.0.0.1:22156>;tag=29854SIPpTag00{i}\r\nTo: <sip:service@127.0.0.1:5099>{toTag}\r\nCall-ID: {i}-29854@127.0.0.1\r\nCSeq: {(method == "BYE" ? 2 : 1)} {method}\r\n" +
                   "Contact: <sip:sipp@127.0.0.1:22156>\r\nContent-Length: 0\r\n\r\n";
        return (SipRequest)SipParser.Parse(Encoding.ASCII.GetBytes(text), out _)!;
    }

    [Theory]
    [InlineData("BYE")]
    [InlineData("INVITE")]
    public void A_lingering_transaction_costs_well_under_a_kilobyte(string method)
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, new InlineScheduler(), _time, SipTimerSettings.Default) { User = new AnsweringUser() };
        const int n = 10_000;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < n; i++)
        {
            layer.OnMessage(Request(method, i), Peer);
            if (i % 1000 == 0)
            {
                transport.Sent.Clear(); // the recording transport is not part of what is measured
            }
        }

        transport.Sent.Clear();
        transport.Sent.TrimExcess();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(n, layer.LingeringServerCount);
        Assert.Equal(0, layer.LiveServerCount);
        double perEntry = (after - before) / (double)n;
        output.WriteLine(method == "BYE"
            ? $"{perEntry:F0} bytes per lingering BYE transaction (Completed: key, encoded 200 OK, destination, index and queue slots)"
            : $"{perEntry:F0} bytes per lingering INVITE transaction (Accepted: key, To tag, merged-request index entry, index and queue slots)");
        Assert.InRange(perEntry, 1, 1024);
        GC.KeepAlive(layer);
    }

    private sealed class AnsweringUser : ISipTransactionUser
    {
        public void OnRequest(SipServerTransaction transaction)
        {
            var ok = transaction.CreateResponse(200);
            ok.AddHeader("Server", "Pipeline");
            transaction.SendResponse(ok);
        }

        public void OnAck(SipRequest ack, IPEndPoint remote)
        {
        }

        public void OnCancel(InviteServerTransaction invite, SipRequest cancel)
        {
        }

        public void OnStrayResponse(SipResponse response, IPEndPoint remote)
        {
        }
    }

}
