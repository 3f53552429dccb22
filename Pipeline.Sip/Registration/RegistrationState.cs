namespace Pipeline.Sip.Registration;

/// <summary>Where a registration stands (the connection status an agent desktop shows).</summary>
public enum RegistrationState
{
    /// <summary>Created, not started.</summary>
    Idle,

    /// <summary>A REGISTER is under way (first time, after a failure, or a refresh that has not been answered yet).</summary>
    Registering,

    /// <summary>The registrar accepted us; calls to the address of record reach this endpoint.</summary>
    Ready,

    /// <summary>The last attempt failed (timeout, 4xx–6xx, auth refused); a retry is scheduled with back-off.</summary>
    Failed,

    /// <summary>Removing the binding (REGISTER with Expires: 0).</summary>
    Unregistering,

    /// <summary>The binding is gone; the registration is stopped.</summary>
    Unregistered,
}
