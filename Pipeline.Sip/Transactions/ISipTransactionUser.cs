using System.Net;
using Pipeline.Sip.Messages;

namespace Pipeline.Sip.Transactions;

/// <summary>What the transaction layer hands up to the transaction user (dialogs/calls/endpoint).</summary>
internal interface ISipTransactionUser
{
    /// <summary>A new request (not ACK, not a retransmission) with its server transaction.</summary>
    void OnRequest(SipServerTransaction transaction);

    /// <summary>An ACK that matched no transaction: the ACK for a 2xx (§17.2.3, RFC 6026).</summary>
    void OnAck(SipRequest ack, IPEndPoint remote);

    /// <summary>A CANCEL matched this INVITE server transaction (already answered 200); the TU should answer 487 and end the call.</summary>
    void OnCancel(InviteServerTransaction invite, SipRequest cancel);

    /// <summary>A response that matched no client transaction (e.g. a 2xx retransmission after timer M).</summary>
    void OnStrayResponse(SipResponse response, IPEndPoint remote);
}
