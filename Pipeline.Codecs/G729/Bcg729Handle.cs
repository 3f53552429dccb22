using System.Runtime.InteropServices;

namespace Pipeline.Codecs.G729;

/// <summary>A bcg729 encoder or decoder channel context; closing it frees the native state.</summary>
internal sealed unsafe class Bcg729Handle : SafeHandle
{
    private readonly delegate* unmanaged<nint, void> _close;

    private Bcg729Handle(nint context, delegate* unmanaged<nint, void> close)
        : base(0, ownsHandle: true)
    {
        _close = close;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    public static Bcg729Handle CreateEncoder(Bcg729Library library, bool enableVad)
    {
        nint ctx = library.InitEncoder(enableVad ? (byte)1 : (byte)0);
        if (ctx == 0) throw new InvalidOperationException($"{library.Name}: initBcg729EncoderChannel returned NULL (out of memory?).");
        return new Bcg729Handle(ctx, library.CloseEncoder);
    }

    public static Bcg729Handle CreateDecoder(Bcg729Library library)
    {
        nint ctx = library.InitDecoder();
        if (ctx == 0) throw new InvalidOperationException($"{library.Name}: initBcg729DecoderChannel returned NULL (out of memory?).");
        return new Bcg729Handle(ctx, library.CloseDecoder);
    }

    protected override bool ReleaseHandle()
    {
        _close(handle);
        return true;
    }
}
