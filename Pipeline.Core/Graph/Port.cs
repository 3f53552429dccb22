namespace Pipeline.Core.Graph;

/// <summary>A typed connection point of a node.</summary>
public abstract class Port
{
    private protected Port(Node owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    public Node Owner { get; }

    public string Name { get; }

    public abstract Type ItemType { get; }

    public override string ToString() => $"{Owner.Name}.{Name}";
}
