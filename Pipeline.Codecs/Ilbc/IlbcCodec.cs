namespace Pipeline.Codecs.Ilbc;

/// <summary>Per-mode sizes of iLBC (RFC 3951 §3.1).</summary>
internal static class IlbcCodec
{
    internal const int SubLength = 40;          // SUBL
    internal const int Order = 10;              // LPC_FILTERORDER
    internal const int StateLength = 80;        // STATE_LEN: two sub-frames
    internal const int CbMemLength = 147;       // CB_MEML
    internal const int StateCbMemLength = 85;   // ST_MEM_L_TBL

    internal static int BytesPerFrame(IlbcMode mode) => mode == IlbcMode.Ms20 ? 38 : 50;

    internal static int SamplesPerFrame(IlbcMode mode) => mode == IlbcMode.Ms20 ? 160 : 240;

    internal static int SubFrames(IlbcMode mode) => mode == IlbcMode.Ms20 ? 4 : 6;

    internal static int StateShortLength(IlbcMode mode) => mode == IlbcMode.Ms20 ? 57 : 58;

    internal static int LsfSets(IlbcMode mode) => mode == IlbcMode.Ms20 ? 1 : 2;

    internal static void Validate(IlbcMode mode, string paramName)
    {
        if (mode != IlbcMode.Ms20 && mode != IlbcMode.Ms30)
        {
            throw new ArgumentOutOfRangeException(paramName, mode, $"iLBC has a 20 ms and a 30 ms mode; {(int)mode} is neither.");
        }
    }
}
