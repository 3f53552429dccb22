namespace Pipeline.Core.Graph;

public enum GraphState
{
    Created,
    Running,
    Stopped,
}
