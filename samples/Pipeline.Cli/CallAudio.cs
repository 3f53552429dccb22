using Pipeline.Core.Nodes;
using Pipeline.Devices;
using Pipeline.Sip.Media;

namespace Pipeline.Cli;

/// <summary>The devices a CLI call uses: what it sends (WAV file, tone or silence) and its stereo recording.</summary>
internal static class CallAudio
{
    public static AudioSourceBinding CreateSource(CallAudioContext ctx, string? playFile, double? toneHz)
    {
        AudioSourceNode node;
        if (playFile is not null)
        {
            var file = new WavFileSourceNode("play", playFile, WavEndBehavior.Loop, downmixToMono: true);
            if (file.SampleRate != ctx.SampleRate)
            {
                // The file's rate is not the codec's: convert on the way (a node of the call's graph).
                var resampler = new ResamplerNode("play-resampler", file.SampleRate, ctx.SampleRate);
                return new AudioSourceBinding(file, resampler.Output) { ChainNodes = [resampler], Wire = g => g.Connect(file.Output, resampler.Input) };
            }

            node = file;
        }
        else if (toneHz >= ctx.SampleRate.Hertz / 2.0)
        {
            Console.Error.WriteLine($"phone: --tone {toneHz} Hz does not fit a {ctx.SampleRate.Hertz} Hz call ({ctx.Codec.Name}); sending silence");
            node = new SilenceSourceNode("silence", ctx.SampleRate);
        }
        else if (toneHz is { } hz)
        {
            node = new ToneSourceNode("tone", hz, 0.3, ctx.SampleRate);
        }
        else
        {
            node = new SilenceSourceNode("silence", ctx.SampleRate);
        }

        return new AudioSourceBinding(node, node.Output);
    }

    public static CallRecorderBinding CreateRecorder(CallAudioContext ctx, string directory)
    {
        string safe = string.Concat(ctx.CallId.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var recorder = new StereoRecorderNode("recorder", Path.Combine(directory, safe + ".wav"), ctx.SampleRate);
        return new CallRecorderBinding(recorder, recorder.Left, recorder.Right);
    }
}
