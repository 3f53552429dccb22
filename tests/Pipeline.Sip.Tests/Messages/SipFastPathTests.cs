using System.Text;
using Pipeline.Sip.Messages;
using Pipeline.Sip.Tests.TestSupport;

namespace Pipeline.Sip.Tests.Messages;

/// <summary>
/// The parser's byte-level fast path (<see cref="SipFastValidator"/>, the header-name switch, the token table) must agree with
/// the full validation: it may only say "certainly valid" where the full check passes, so every message parses to the same
/// result (same error, same header and reason) whichever way it goes.
/// </summary>
public sealed class SipFastPathTests
{
    private const string Sdp = "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
                               "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n";

    internal static readonly string TypicalInvite =
        "INVITE sip:bob@192.0.2.20:5060 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n" +
        "To: <sip:bob@example.com>\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@192.0.2.10:5060>, Bob <sip:b@192.0.2.30>;q=0.5\r\n" +
        "Record-Route: <sip:p1.example.com;lr>\r\n" +
        "Route: sip:p2.example.com;lr\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n" +
        "Content-Type: application/sdp\r\n" +
        $"Content-Length: {Sdp.Length}\r\n\r\n{Sdp}";

    internal static readonly string TypicalOk =
        "SIP/2.0 200 OK\r\n" +
        "v: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.99, SIP/2.0/UDP p1.example.com;branch=z9hG4bKx1\r\n" +
        "f: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
        "t: <sip:bob@example.com>;tag=a6c85cf\r\n" +
        "i: a84b4c76e66710@pc33.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "m: <sips:bob@192.0.2.4;transport=tcp>;expires=60\r\n" +
        "c: application/sdp;charset=utf-8\r\n" +
        $"l: {Sdp.Length}\r\n\r\n{Sdp}";

    private static string Outcome(byte[] data, bool fastPath)
    {
        var m = SipParser.ParseOwned((byte[])data.Clone(), out var error, fastPath);
        var head = m switch
        {
            SipRequest r => $"{r.Method} {r.RequestUriText} {r.Version} uri={r.Uri?.ToString()}",
            SipResponse r => $"{r.StatusCode} {r.ReasonPhrase}",
            _ => "null",
        };
        return $"{head} | {error?.StatusCode} {error?.Header} {error?.Reason} | headers={m?.HeaderCount} body={m?.BodyMemory.Length}";
    }

    private static IEnumerable<string> TortureFiles() =>
        Directory.GetFiles(TestData.Rfc4475Dir, "*.dat").Concat(Directory.GetFiles(TestData.Rfc5118Dir));

    [Fact]
    public void Fast_path_and_full_validation_agree_on_every_torture_message()
    {
        var files = TortureFiles().ToArray();
        Assert.True(files.Length >= 61, $"expected the 61 torture messages under {TestData.Root}");
        foreach (var f in files)
        {
            var data = File.ReadAllBytes(f);
            Assert.True(Outcome(data, fastPath: false) == Outcome(data, fastPath: true), Path.GetFileName(f));
        }
    }

    [Theory]
    [InlineData("invite")]
    [InlineData("ok")]
    public void Fast_path_and_full_validation_agree_on_every_one_byte_change_of_a_message(string which)
    {
        var text = which == "ok" ? TypicalOk : TypicalInvite;
        var original = Encoding.ASCII.GetBytes(text);
        Assert.True(SipParser.Parse(original, out _)!.TryValidateFast(out _), "the unchanged message must take the fast path");
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        byte[] replacements = [(byte)' ', (byte)'\t', (byte)'"', (byte)'<', (byte)'>', (byte)';', (byte)',', (byte)':', (byte)'@', (byte)'[',
            (byte)'=', (byte)'/', (byte)'?', (byte)'\\', (byte)'x', (byte)'7', (byte)'\r', (byte)'\n', 0, 0xC3];
        var compared = 0;
        for (var i = 0; i < headerEnd; i++)
        {
            foreach (var b in replacements)
            {
                var data = (byte[])original.Clone();
                data[i] = b;
                Assert.True(Outcome(data, fastPath: false) == Outcome(data, fastPath: true), $"byte {i} ('{(char)original[i]}') -> 0x{b:X2}");
                compared++;
            }

            var shorter = original[..i].Concat(original[(i + 1)..]).ToArray();
            Assert.True(Outcome(shorter, fastPath: false) == Outcome(shorter, fastPath: true), $"byte {i} ('{(char)original[i]}') removed");
        }

        Assert.True(compared > 5000);
    }

    [Fact]
    public void Fast_recognisers_accept_only_values_the_full_validators_accept()
    {
        var checkedValues = 0;
        foreach (var f in TortureFiles().Append("invite").Append("ok"))
        {
            var data = f == "invite" ? Encoding.ASCII.GetBytes(TypicalInvite) : f == "ok" ? Encoding.ASCII.GetBytes(TypicalOk) : File.ReadAllBytes(f);
            var m = SipParser.Parse(data, out _);
            if (m is null)
            {
                continue;
            }

            for (var i = 0; i < m.HeaderCount; i++)
            {
                if (!m.TryGetRawValue(i, out var raw))
                {
                    continue;
                }

                var value = m.ValueAt(i);
                var name = m.NameAt(i);
                var id = m.IdAt(i);
                var pos = 0;
                switch (id)
                {
                    case SipHeaderId.Via:
                        while (SipFastValidator.NextListItem(raw, ref pos, out var item))
                        {
                            if (SipFastValidator.IsVia(item))
                            {
                                SipVia.Validate(Encoding.UTF8.GetString(item));
                                checkedValues++;
                            }
                        }

                        break;
                    case SipHeaderId.From or SipHeaderId.To:
                        if (SipFastValidator.IsNameAddr(raw))
                        {
                            SipNameAddr.Validate(value, name);
                            checkedValues++;
                        }

                        break;
                    case SipHeaderId.Contact or SipHeaderId.Route or SipHeaderId.RecordRoute:
                        while (SipFastValidator.NextListItem(raw, ref pos, out var item))
                        {
                            if (SipFastValidator.IsNameAddr(item))
                            {
                                SipNameAddr.Validate(Encoding.UTF8.GetString(item), name);
                                checkedValues++;
                            }
                        }

                        break;
                    case SipHeaderId.ContentType:
                        if (SipFastValidator.IsMediaType(raw))
                        {
                            Assert.NotNull(m.ContentType); // throws if the full check disagrees
                            checkedValues++;
                        }

                        break;
                    case SipHeaderId.CSeq:
                        if (SipFastValidator.IsCSeq(raw, out var method))
                        {
                            SipCSeq.Validate(value, out var full);
                            Assert.Equal(Encoding.ASCII.GetString(method), full.ToString());
                            checkedValues++;
                        }

                        break;
                }
            }

            if (m is SipRequest r && SipFastValidator.IsSipUri(Encoding.UTF8.GetBytes(r.RequestUriText)))
            {
                Assert.True(SipUri.TryValidate(r.RequestUriText, out var uriError), $"{Path.GetFileName(f)}: {uriError}");
                checkedValues++;
            }
        }

        Assert.True(checkedValues > 100, $"only {checkedValues} values took the fast path");
    }

    private static readonly string[] Seeds =
    [
        "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport",
        "SIP/2.0/TCP host.example.com:65535;received=192.0.2.1;ttl=16",
        "\"Alice\" <sip:alice@example.com>;tag=1928301774",
        "<sips:bob:pw@example.com:65535;transport=tcp;lr?x=y>;expires=60",
        "Bob Smith <tel:+1234;p=1>;q=0.5",
        "sip:carol@chicago.com;tag=1",
        "sip:bob@192.0.2.20:5060",
        "314159 INVITE",
        "2147483647 ACK",
        "70",
        "255",
        "123456789",
        "application/sdp;charset=utf-8",
        "multipart/mixed ; boundary=x",
    ];

    private static readonly char[] Specials = [' ', '\t', '"', '<', '>', ';', ',', ':', '@', '[', ']', '=', '/', '?', '\\', '*', 'x', '9', '0', '\u00e9'];

    private static IEnumerable<string> Mutations(string seed)
    {
        yield return seed;
        for (var i = 0; i <= seed.Length; i++)
        {
            if (i < seed.Length)
            {
                yield return seed.Remove(i, 1);
                foreach (var c in Specials)
                {
                    yield return seed[..i] + c + seed[(i + 1)..];
                }
            }

            foreach (var c in Specials)
            {
                yield return seed.Insert(i, c.ToString());
            }

            yield return seed.Insert(i, "99");
        }
    }

    private static bool Throws(Action check)
    {
        try
        {
            check();
            return false;
        }
        catch (SipParseException)
        {
            return true;
        }
    }

    [Fact]
    public void Each_fast_recogniser_accepts_only_what_its_full_validator_accepts_over_mutated_values()
    {
        var accepted = 0;
        foreach (var seed in Seeds)
        {
            foreach (var value in Mutations(seed))
            {
                var bytes = Encoding.UTF8.GetBytes(value);
                if (SipFastValidator.IsVia(bytes))
                {
                    Assert.False(Throws(() => SipVia.Validate(value)), $"Via '{value}'");
                    accepted++;
                }

                if (SipFastValidator.IsNameAddr(bytes))
                {
                    Assert.False(Throws(() => SipNameAddr.Validate(value, "From")), $"name-addr '{value}'");
                    accepted++;
                }

                if (SipFastValidator.IsSipUri(bytes))
                {
                    Assert.True(SipUri.TryValidate(value, out _), $"URI '{value}'");
                    accepted++;
                }

                if (SipFastValidator.IsCSeq(bytes, out var method))
                {
                    var full = default(ReadOnlySpan<char>);
                    Assert.False(Throws(() => SipCSeq.Validate(value, out _)), $"CSeq '{value}'");
                    SipCSeq.Validate(value, out full);
                    Assert.Equal(full.ToString(), Encoding.ASCII.GetString(method));
                    accepted++;
                }

                foreach (var max in (int[])[255, int.MaxValue])
                {
                    if (SipFastValidator.IsNumber(bytes, max, out var n))
                    {
                        Assert.True(int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, null, out var full) && full <= max && full == n, $"number '{value}' (max {max})");
                        accepted++;
                    }
                }

                if (SipFastValidator.IsMediaType(bytes))
                {
                    Assert.False(Throws(() => SipMessage.ValidateMediaType(value)), $"media type '{value}'");
                    accepted++;
                }
            }
        }

        Assert.True(accepted > 3000, $"only {accepted} values were accepted by a fast recogniser");
    }

    [Fact]
    public void A_typical_invite_takes_the_fast_path_and_an_unusual_one_the_full_check()
    {
        var typical = SipParser.Parse(Encoding.ASCII.GetBytes(TypicalInvite), out var error)!;
        Assert.Null(error);
        Assert.True(typical.TryValidateFast(out var length));
        Assert.Equal(Sdp.Length, length);

        // A quoted-pair in the display name is valid, but left to the full check.
        var unusual = SipParser.Parse(Encoding.ASCII.GetBytes(TypicalInvite.Replace("\"Alice\"", "\"Al\\\"ice\"", StringComparison.Ordinal)), out error)!;
        Assert.Null(error);
        Assert.False(unusual.TryValidateFast(out _));
        Assert.Equal("\"Al\\\"ice\"", unusual.From.DisplayName);
    }

    [Fact]
    public void Header_names_are_identified_in_every_spelling()
    {
        var names = new List<string> { "v", "f", "t", "i", "m", "l", "c", "k", "s", "e", "o", "r", "b", "x", "u" };
        foreach (var id in Enum.GetValues<SipHeaderId>())
        {
            if (id != SipHeaderId.Unknown)
            {
                names.Add(SipHeaderNames.CanonicalName(id));
            }
        }

        foreach (var name in names)
        {
            var expected = SipHeaderNames.IdOf(name);
            Assert.NotEqual(SipHeaderId.Unknown, expected);
            foreach (var spelling in (string[])[name, name.ToUpperInvariant(), name.ToLowerInvariant()])
            {
                Assert.Equal(expected, SipHeaderNames.Identify(Encoding.ASCII.GetBytes(spelling)));
            }
        }

        foreach (var unknown in (string[])["X-Via", "Vias", "Fromm", "q", "Tq", "Contact-X", "Call_ID", "Content-Lengths", "Require2", "From\u00e9"])
        {
            Assert.Equal(SipHeaderId.Unknown, SipHeaderNames.Identify(Encoding.UTF8.GetBytes(unknown)));
        }
    }

    [Fact]
    public void Character_class_table_holds_exactly_the_search_value_sets()
    {
        (byte Class, System.Buffers.SearchValues<byte> Set)[] classes =
        [
            (SipFastValidator.Token, SipFastValidator.TokenBytes), (SipFastValidator.ParamValue, SipFastValidator.ParamValueBytes),
            (SipFastValidator.Host, SipFastValidator.HostBytes), (SipFastValidator.Uri, SipFastValidator.UriBytes),
            (SipFastValidator.Scheme, SipFastValidator.SchemeBytes), (SipFastValidator.Quoted, SipFastValidator.QuotedBytes),
        ];
        foreach (var (cls, set) in classes)
        {
            for (var b = 0; b < 256; b++)
            {
                Assert.True(((SipFastValidator.Classes[b] & cls) != 0) == set.Contains((byte)b), $"class {cls}, byte 0x{b:X2}");
            }
        }

        Assert.Equal(256, SipFastValidator.Classes.Length);
    }
}
