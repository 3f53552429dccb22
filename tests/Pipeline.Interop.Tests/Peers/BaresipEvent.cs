using System.Text.Json;

namespace Pipeline.Interop.Tests.Peers;

/// <summary>
/// One event from baresip's ctrl_tcp module, e.g. CALL_INCOMING, CALL_RINGING, CALL_ESTABLISHED,
/// CALL_RTPESTAB, CALL_CLOSED (Param = reason), SHUTDOWN, EXIT.
/// </summary>
/// <param name="Type">Event type ("CALL_ESTABLISHED").</param>
/// <param name="Class">Event class ("call", "other", "application"…).</param>
/// <param name="PeerUri">Remote party URI, when the event is about a call.</param>
/// <param name="CallId">baresip's call id (the SIP Call-ID), when the event is about a call.</param>
/// <param name="Param">Free-form parameter (peer URI, close reason, "offer"/"answer"…).</param>
/// <param name="Json">The raw JSON object.</param>
internal sealed record BaresipEvent(string Type, string? Class, string? PeerUri, string? CallId, string? Param, string Json)
{
    internal static BaresipEvent Parse(JsonElement e, string json) => new(
        Str(e, "type") ?? string.Empty,
        Str(e, "class"),
        Str(e, "peeruri"),
        Str(e, "id"),
        Str(e, "param"),
        json);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
