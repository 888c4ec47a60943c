using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("TokenTelemetry.Tests.Support.SuiteFramework", "TokenTelemetry.Tests")]

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// xunit's own framework plus what it lacks: a step at the end of the run, after the last test and before the run
/// reports itself finished, that stops the run's clusters and deletes its folders (<see cref="TestRun.Finish"/>).
/// (Later hooks, such as the framework's disposal, race the runner, which ends the test host soon after.)
/// </summary>
public sealed class SuiteFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnostics)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class AssemblyRunner(ITestAssembly assembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnostics,
        IMessageSink executionMessages, ITestFrameworkExecutionOptions options)
        : XunitTestAssemblyRunner(assembly, testCases, diagnostics, executionMessages, options)
    {
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await Task.Run(TestRun.Finish);
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
