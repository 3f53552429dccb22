using Pipeline.Codecs.Ilbc;
using Pipeline.Core.Media;

namespace Pipeline.Codecs.Tests.Ilbc;

public sealed class IlbcCodecTests
{
    [Theory]
    [InlineData(IlbcMode.Ms20, 160, 38)]
    [InlineData(IlbcMode.Ms30, 240, 50)]
    public void Describes_itself_as_iLBC_8kHz_mono_with_the_mode_frame_sizes(IlbcMode mode, int samples, int bytes)
    {
        var enc = new IlbcEncoder(mode);
        var dec = new IlbcDecoder(mode);
        Assert.Equal("iLBC", enc.Name);
        Assert.Equal("iLBC", dec.Name);
        Assert.Equal(SampleRate.Hz8000, enc.SampleRate);
        Assert.Equal(SampleRate.Hz8000, dec.SampleRate);
        Assert.Equal(8000, enc.RtpClockRate.Hertz);
        Assert.Equal(8000, dec.RtpClockRate.Hertz);
        Assert.Equal(1, enc.Channels);
        Assert.Equal(1, dec.Channels);
        Assert.Equal(bytes, enc.GetMaxEncodedLength(samples));
        Assert.Equal(2 * bytes, enc.GetMaxEncodedLength(2 * samples));
        Assert.Equal(bytes, IlbcFile.FrameLength(mode));
        Assert.Equal(samples, dec.GetSampleCount(new byte[bytes]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(39)]
    [InlineData(49)]
    [InlineData(51)]
    [InlineData(99)]
    public void A_payload_of_no_whole_frames_is_an_ArgumentException_naming_its_size(int size)
    {
        var dec = new IlbcDecoder(IlbcMode.Ms20);
        var ex = Assert.Throws<ArgumentException>(() => dec.Decode(new byte[size], new short[1000]));
        Assert.Contains($"{size}-byte", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => dec.GetSampleCount(new byte[size]));
    }

    [Theory]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public void Random_bytes_from_the_wire_decode_or_conceal_without_throwing(IlbcMode mode)
    {
        var rng = new Random(4242 + (int)mode);
        var dec = new IlbcDecoder(mode);
        var payload = new byte[IlbcFile.FrameLength(mode)];
        var pcm = new short[240];
        long energy = 0;
        for (int i = 0; i < 3000; i++)
        {
            rng.NextBytes(payload);
            Assert.Equal((int)mode * 8, dec.Decode(payload, pcm));
            foreach (var s in pcm.AsSpan(0, (int)mode * 8)) energy += Math.Abs((int)s);
        }

        Assert.True(energy > 0);
    }

    [Fact]
    public void The_mode_follows_the_payload_size()
    {
        var frames30 = IlbcEncoderOracleTests.Encode(IlbcMode.Ms30, IlbcTestSignals.Voiced(0.3));
        var dec = new IlbcDecoder(IlbcMode.Ms20);
        var pcm = new short[240];
        Assert.Equal(240, dec.Decode(frames30.AsSpan(50, 50), pcm));
        Assert.Equal(IlbcMode.Ms30, dec.Mode);

        var frames20 = IlbcEncoderOracleTests.Encode(IlbcMode.Ms20, IlbcTestSignals.Voiced(0.3));
        Assert.Equal(160, dec.Decode(frames20.AsSpan(38, 38), pcm));
        Assert.Equal(IlbcMode.Ms20, dec.Mode);
    }

    [Theory]
    [InlineData(IlbcMode.Ms20)]
    [InlineData(IlbcMode.Ms30)]
    public void A_payload_of_several_frames_decodes_them_all_in_order(IlbcMode mode)
    {
        int samples = (int)mode * 8, bytes = IlbcFile.FrameLength(mode);
        var input = IlbcTestSignals.Voiced(samples * 9 / 8000.0);

        // Encode three frames per call, as a sender with ptime = 3 frames does.
        var enc = new IlbcEncoder(mode);
        var payloads = new byte[3][];
        for (int i = 0; i < 3; i++)
        {
            payloads[i] = new byte[3 * bytes];
            Assert.Equal(3 * bytes, enc.Encode(input.AsSpan(i * 3 * samples, 3 * samples), payloads[i]));
        }

        var whole = new short[9 * samples];
        var dec = new IlbcDecoder(mode);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(3 * samples, dec.GetSampleCount(payloads[i]));
            Assert.Equal(3 * samples, dec.Decode(payloads[i], whole.AsSpan(i * 3 * samples)));
        }

        // The same bytes as frame-by-frame encoding, and the same audio as frame-by-frame decoding.
        var single = IlbcEncoderOracleTests.Encode(mode, input);
        Assert.Equal(single, payloads.SelectMany(p => p).ToArray());
        Assert.Equal(IlbcDecoderOracleTests.Decode(new IlbcDecoder(mode), mode, single), whole);
        Assert.True(IlbcMeasure.Rms(whole) > 100);
    }

    [Fact]
    public void Bad_api_input_is_an_exception_naming_the_problem()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IlbcEncoder((IlbcMode)25));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IlbcDecoder((IlbcMode)0));
        var enc = new IlbcEncoder(IlbcMode.Ms20);
        var ex = Assert.Throws<ArgumentException>(() => enc.Encode(new short[100], new byte[38]));
        Assert.Contains("100 samples", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => enc.Encode(ReadOnlySpan<short>.Empty, new byte[38]));
        Assert.Throws<ArgumentException>(() => enc.Encode(new short[160], new byte[37]));
        Assert.Throws<ArgumentException>(() => new IlbcDecoder(IlbcMode.Ms30).Decode(new byte[50], new short[239]));
    }

    [Fact]
    public void Encoding_is_deterministic_and_Reset_starts_the_stream_again()
    {
        var input = IlbcTestSignals.SpeechLike(seconds: 0.6);
        var enc = new IlbcEncoder(IlbcMode.Ms20);
        var a = new byte[38 * 30];
        var b = new byte[38 * 30];
        enc.Encode(input.AsSpan(0, 160 * 30), a);
        enc.Reset();
        enc.Encode(input.AsSpan(0, 160 * 30), b);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(IlbcMode.Ms20, "#!iLBC20\n")]
    [InlineData(IlbcMode.Ms30, "#!iLBC30\n")]
    public void Storage_file_header_round_trips(IlbcMode mode, string header)
    {
        using var ms = new MemoryStream();
        IlbcFile.WriteHeader(ms, mode);
        Assert.Equal(header, System.Text.Encoding.ASCII.GetString(ms.ToArray()));
        var frame = new byte[IlbcFile.FrameLength(mode)];
        frame[0] = 0x42;
        ms.Write(frame);
        ms.Write(frame.AsSpan(0, 10)); // a partial frame at the end is ignored
        ms.Position = 0;
        Assert.Equal(mode, IlbcFile.ReadHeader(ms));
        var read = new byte[frame.Length];
        Assert.True(IlbcFile.ReadFrame(ms, mode, read));
        Assert.Equal(frame, read);
        Assert.False(IlbcFile.ReadFrame(ms, mode, read));
    }

    [Theory]
    [InlineData("#!AMR\n")]
    [InlineData("#!iLBC25\n")]
    [InlineData("#!iLBC")]
    [InlineData("")]
    public void A_stream_without_an_iLBC_header_is_invalid_data(string start)
    {
        using var ms = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(start));
        var ex = Assert.Throws<InvalidDataException>(() => IlbcFile.ReadHeader(ms));
        Assert.Contains("iLBC", ex.Message, StringComparison.Ordinal);
    }
}
