using System.Text;

namespace Pipeline.Sip.Messages;

/// <summary>An ordered list of <c>;name=value</c> parameters; names compare case-insensitively.</summary>
internal sealed class SipParameters
{
    private readonly List<KeyValuePair<string, string?>> _items = [];

    public int Count => _items.Count;

    public IReadOnlyList<KeyValuePair<string, string?>> Items => _items;

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value, or null if absent or valueless.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _items[i].Value;
    }

    public void Set(string name, string? value)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            _items[i] = new(_items[i].Key, value);
        }
        else
        {
            _items.Add(new(name, value));
        }
    }

    public void Remove(string name)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            _items.RemoveAt(i);
        }
    }

    public SipParameters Clone()
    {
        var p = new SipParameters();
        p._items.AddRange(_items);
        return p;
    }

    public void WriteTo(StringBuilder sb)
    {
        foreach (var (k, v) in _items)
        {
            sb.Append(';').Append(k);
            if (v is not null)
            {
                sb.Append('=').Append(v);
            }
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
