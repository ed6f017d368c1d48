// The class library in the middle of the crashing call chain, and the worker
// threads (each parked in a distinctive frame with objects of its own).
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using SdModel;

namespace SdLib
{
	public sealed class SdInvoice
	{
		public SdOrder SdForOrder;
		public string SdNumber;
	}

	public static class SdProcessor
	{
		public static readonly List<SdInvoice> SdInvoices = new List<SdInvoice>();

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdLibProcessBatch(List<SdOrder> orders, bool wait)
		{
			foreach (SdOrder o in orders)
				SdInvoices.Add(new SdInvoice { SdForOrder = o, SdNumber = "INV-" + o.SdOrderId });
			SdLibVisit(orders[orders.Count - 1], wait);
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdLibVisit<T>(T item, bool wait) where T : class
		{
			SdLibValidateOrder(item as SdOrder, wait);
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdLibValidateOrder(SdOrder order, bool wait)
		{
			SdOrderValidator.SdModelRejectOrder(order, wait);
		}
	}

	public sealed class SdWorkerPool
	{
		public const int SdWorkerCount = 3;
		private readonly ManualResetEventSlim sdStop = new ManualResetEventSlim(false);
		private readonly CountdownEvent sdStarted = new CountdownEvent(SdWorkerCount);

		public void SdStartWorkers()
		{
			for (int i = 0; i < SdWorkerCount; i++) {
				int n = i;
				var t = new Thread(() => SdLibWorkerLoop(n)) { IsBackground = true, Name = "SdWorker-" + n };
				t.Start();
			}
			sdStarted.Wait();
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		private void SdLibWorkerLoop(int n)
		{
			var mine = new SdCustomer { SdCustomerId = 9000 + n, SdCustomerName = "worker-" + n };
			sdStarted.Signal();
			sdStop.Wait();
			GC.KeepAlive(mine);
		}
	}
}
