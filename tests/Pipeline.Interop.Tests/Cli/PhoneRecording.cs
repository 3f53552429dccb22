using Pipeline.Devices;
using Pipeline.Interop.Tests.Peers;

namespace Pipeline.Interop.Tests.Cli;

/// <summary>Reads the stereo recordings <c>phone --record</c> writes (left = received, right = sent).</summary>
internal static class PhoneRecording
{
    /// <summary>The one recording in <paramref name="directory"/>, waiting briefly for it to be finalised.</summary>
    public static async Task<string> SingleAsync(string directory, string context)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.wav") : [];
            if (files.Length == 1) return files[0];
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"expected one recording in {directory}, found {files.Length}\n{context}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Writes channel <paramref name="channel"/> of a stereo recording to a mono WAV beside it and returns its path.</summary>
    public static string ExtractChannel(string stereoPath, int channel)
    {
        var (format, samples) = WavFile.ReadAll(stereoPath);
        if (format.Channels != 2) throw new Xunit.Sdk.XunitException($"{stereoPath} has {format.Channels} channels; phone --record writes stereo");
        var mono = new short[samples.Length / 2];
        for (int i = 0; i < mono.Length; i++) mono[i] = samples[(2 * i) + channel];
        string path = Path.ChangeExtension(stereoPath, channel == 0 ? ".received.wav" : ".sent.wav");
        TestAudio.WriteWav(path, mono, format.SampleRate.Hertz, WavEncoding.Pcm16);
        return path;
    }
}
