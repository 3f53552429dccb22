// Interop tests start real peers (SIPp, baresip, the CLI) and measure real-time audio: running them one at a
// time keeps a 2-core machine from starving the media clock and turning load into false failures.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
