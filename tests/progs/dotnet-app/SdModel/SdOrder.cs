// Types of the test app's data model: instances of these live on the GC heap
// when the app is dumped, so `dumpheap -stat` must show them by name.
using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace SdModel
{
	public sealed class SdCustomer
	{
		public int SdCustomerId;
		public string SdCustomerName;
	}

	public sealed class SdOrder
	{
		public int SdOrderId;
		public decimal SdAmount;
		public SdCustomer SdOwner;
		public byte[] SdPayload;
	}

	public sealed class SdFixtureException : InvalidOperationException
	{
		public int SdOrderId;

		public SdFixtureException(string message, int orderId, Exception inner)
			: base(message, inner)
		{
			SdOrderId = orderId;
		}
	}

	public static class SdOrderValidator
	{
		// The innermost frame: throws (crash mode) or parks the thread (wait mode).
		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdModelRejectOrder(SdOrder order, bool wait)
		{
			if (wait) {
				SdModelParkUntilReleased(order);
				return;
			}
			Exception inner;
			try {
				int.Parse("not-a-number-" + order.SdOrderId);
				inner = null;
			} catch (FormatException e) {
				inner = e;
			}
			throw new SdFixtureException("savedump fixture crash in order " + order.SdOrderId,
						     order.SdOrderId, inner);
		}

		[MethodImpl(MethodImplOptions.NoInlining)]
		public static void SdModelParkUntilReleased(SdOrder order)
		{
			Console.Out.WriteLine("ready " + Environment.ProcessId);
			Console.Out.Flush();
			// gcore attaches here; the caller kills the process afterwards.
			for (;;)
				Thread.Sleep(1000);
		}
	}
}
