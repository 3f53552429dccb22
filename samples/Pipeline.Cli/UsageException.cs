namespace Pipeline.Cli;

/// <summary>A command line that cannot be run; the message says what is wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);
