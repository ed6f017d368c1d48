// savedump's .NET test app. Modes:
//   crash  build the heap, start workers, throw an unhandled exception deep in a
//          call chain across three assemblies (the runtime then aborts: createdump
//          or a kernel core)
//   wait   same, but the innermost frame prints "ready PID" and sleeps (for gcore)
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using SdLib;
using SdModel;

namespace SdApp
{
	public static class SdAppCoordinator
	{
		public const int SdOrderCount = 1000;
		public static readonly List<SdOrder> SdAllOrders = new List<SdOrder>();

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdAppBuildHeap()
		{
			var customers = new SdCustomer[50];
			for (int i = 0; i < customers.Length; i++)
				customers[i] = new SdCustomer { SdCustomerId = i, SdCustomerName = "customer-" + i };
			for (int i = 0; i < SdOrderCount; i++)
				SdAllOrders.Add(new SdOrder {
					SdOrderId = i, SdAmount = i * 1.25m, SdOwner = customers[i % customers.Length],
					SdPayload = new byte[64],
				});
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdAppDispatchOrders(bool wait)
		{
			SdProcessor.SdLibProcessBatch(SdAllOrders, wait);
		}
	}

	public static class Program
	{
		public static int Main(string[] args)
		{
			string mode = args.Length > 0 ? args[0] : "crash";
			if (mode != "crash" && mode != "wait") {
				Console.Error.WriteLine("usage: SdApp crash|wait");
				return 2;
			}
			SdAppRun(mode == "wait");
			return 0;
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdAppRun(bool wait)
		{
			SdAppCoordinator.SdAppBuildHeap();
			new SdWorkerPool().SdStartWorkers();
			SdAppCoordinator.SdAppDispatchOrders(wait);
		}
	}
}
