using System.Runtime.CompilerServices;

namespace Pipeline.Codecs.G722;

/// <summary>
/// The 24-tap quadrature mirror filter pair of G.722 (Table 11), shared by analysis (encoder) and
/// synthesis (decoder). A delay line keeps the last 24 values, oldest first; new pairs are appended and
/// the line is moved back to the start of its buffer only when the buffer is full (rarely, and cheaply).
/// <para>With p(0) the oldest and p(23) the newest value, the filter gives the two polyphase sums
/// A = Σ h(m)·p(m) over odd m and B = Σ h(m)·p(m) over even m (h is symmetric, so this is the reference's
/// sum over the delay line in reverse order).</para>
/// </summary>
internal sealed class G722Qmf
{
    internal const int Taps = 24;
    private const int Kept = Taps - 2;
    private readonly short[] _line = new short[Kept + 512];
    private int _pos = Kept; // the next free slot; _line[_pos - 22 .. _pos - 1] is the history

    /// <summary>Appends the pair (<paramref name="first"/>, <paramref name="second"/>) and returns the polyphase sums over the last 24 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(int first, int second, out int odd, out int even)
    {
        if (_pos == _line.Length)
        {
            Array.Copy(_line, _pos - Kept, _line, 0, Kept);
            _pos = Kept;
        }

        ref short p = ref _line[_pos - Kept];
        Unsafe.Add(ref p, 22) = (short)first;
        Unsafe.Add(ref p, 23) = (short)second;
        _pos += 2;
        odd = -11 * Unsafe.Add(ref p, 1) + 53 * Unsafe.Add(ref p, 3) - 156 * Unsafe.Add(ref p, 5) + 362 * Unsafe.Add(ref p, 7)
            - 805 * Unsafe.Add(ref p, 9) + 3876 * Unsafe.Add(ref p, 11) + 951 * Unsafe.Add(ref p, 13) - 210 * Unsafe.Add(ref p, 15)
            + 32 * Unsafe.Add(ref p, 17) + 12 * Unsafe.Add(ref p, 19) - 11 * Unsafe.Add(ref p, 21) + 3 * Unsafe.Add(ref p, 23);
        even = 3 * p - 11 * Unsafe.Add(ref p, 2) + 12 * Unsafe.Add(ref p, 4) + 32 * Unsafe.Add(ref p, 6)
            - 210 * Unsafe.Add(ref p, 8) + 951 * Unsafe.Add(ref p, 10) + 3876 * Unsafe.Add(ref p, 12) - 805 * Unsafe.Add(ref p, 14)
            + 362 * Unsafe.Add(ref p, 16) - 156 * Unsafe.Add(ref p, 18) + 53 * Unsafe.Add(ref p, 20) - 11 * Unsafe.Add(ref p, 22);
    }

    public void Reset()
    {
        Array.Clear(_line);
        _pos = Kept;
    }
}
