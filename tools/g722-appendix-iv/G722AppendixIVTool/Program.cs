using System.Globalization;
using Pipeline.Codecs.Tests.G722.AppendixIV;

// dump DIR              : writes DIR/<scenario>.g192 (G.192 frames for decg722), .g722 (raw bytes), .mask, and DIR/scenarios.txt;
//                         for each encoder scenario DIR/<name>.pcm (16-bit LE input for encg722) and DIR/encoder-scenarios.txt
// checksums DIR OUT     : reads DIR/<scenario>.out (decg722 output, 16-bit LE PCM) and writes OUT/<scenario>.txt
// enc-checksums DIR OUT : reads DIR/<name>.itu.g722 (encg722 output) and writes OUT/encoder/<name>.txt
if (args.Length >= 2 && args[0] == "dump")
{
    Directory.CreateDirectory(args[1]);
    using var index = new StreamWriter(Path.Combine(args[1], "scenarios.txt"));
    foreach (var s in G722AppendixIVScenarios.All)
    {
        var stream = s.Stream();
        File.WriteAllBytes(Path.Combine(args[1], s.Name + ".g722"), stream);
        File.WriteAllText(Path.Combine(args[1], s.Name + ".mask"), s.Mask() + "\n");
        File.WriteAllBytes(Path.Combine(args[1], s.Name + ".g192"), G192(stream, s.FrameSamples / 2, s.Lost));
        index.Write(string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.FrameSamples}\n"));
        Console.WriteLine($"{s.Name}: {s.Lost.Length} frames of {s.FrameSamples} samples, {Array.FindAll(s.Lost, l => l).Length} lost");
    }

    using var encoderIndex = new StreamWriter(Path.Combine(args[1], "encoder-scenarios.txt"));
    foreach (var s in G722EncoderScenarios.All)
    {
        File.WriteAllBytes(Path.Combine(args[1], s.Name + ".pcm"), s.PcmBytes());
        encoderIndex.Write(s.Name + "\n");
        Console.WriteLine($"encoder {s.Name}: {s.Pcm.Length} samples");
    }

    return 0;
}

if (args.Length >= 3 && args[0] == "enc-checksums")
{
    var dir = Path.Combine(args[2], "encoder");
    Directory.CreateDirectory(dir);
    foreach (var s in G722EncoderScenarios.All)
    {
        var coded = File.ReadAllBytes(Path.Combine(args[1], s.Name + ".itu.g722"));
        File.WriteAllText(Path.Combine(dir, s.Name + ".txt"), G722AppendixIVReference.Format(s, coded));
        var ours = s.Encode();
        int differ = 0;
        for (int i = 0; i < Math.Min(ours.Length, coded.Length); i++) differ += ours[i] != coded[i] ? 1 : 0;
        Console.WriteLine($"encoder {s.Name}: {coded.Length} bytes, {s.Frames} frames; {differ} bytes differ from G722Encoder");
    }

    return 0;
}

if (args.Length >= 3 && args[0] == "checksums")
{
    Directory.CreateDirectory(args[2]);
    foreach (var s in G722AppendixIVScenarios.All)
    {
        var pcm = File.ReadAllBytes(Path.Combine(args[1], s.Name + ".out"));
        File.WriteAllText(Path.Combine(args[2], s.Name + ".txt"), G722AppendixIVReference.Format(s, pcm));
        Console.WriteLine($"{s.Name}: {pcm.Length / 2 / s.FrameSamples} frames");
    }

    return 0;
}

Console.Error.WriteLine("usage: dump DIR | checksums DIR OUTDIR | enc-checksums DIR OUTDIR");
return 2;

// ITU-T G.192 bitstream: per frame a sync word (0x6B21 received, 0x6B20 erased), the bit count, then one 16-bit word per
// bit (0x0081 one, 0x007F zero). For the G.722 decoder at 64 kbit/s the bits go plane by plane: bit 2 of every byte, then
// bits 3, 4, 5, 6, 7, then bits 1 and 0 (the planes 48 and 56 kbit/s leave out come last).
static byte[] G192(byte[] stream, int bytesPerFrame, bool[] lost)
{
    int bits = bytesPerFrame * 8;
    var output = new byte[lost.Length * (bits + 2) * 2];
    int o = 0;
    void Word(int w)
    {
        output[o++] = (byte)w;
        output[o++] = (byte)(w >> 8);
    }

    int[] planes = [2, 3, 4, 5, 6, 7, 1, 0];
    for (int f = 0; f < lost.Length; f++)
    {
        Word(lost[f] ? 0x6B20 : 0x6B21);
        Word(bits);
        foreach (int plane in planes)
        {
            for (int i = 0; i < bytesPerFrame; i++)
            {
                bool one = !lost[f] && ((stream[(f * bytesPerFrame) + i] >> plane) & 1) != 0;
                Word(one ? 0x0081 : 0x007F);
            }
        }
    }

    return output;
}
