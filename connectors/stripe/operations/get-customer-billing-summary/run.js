// Three reads in parallel with Promise.all: the customer, their open invoices, their active
// subscriptions. Amounts stay in the currency's smallest unit, as Stripe returns them.
const iso = (seconds) => (seconds ? new Date(seconds * 1000).toISOString() : null)

module.exports = async function run({ apiClient, input }) {
  const [customer, invoices, subscriptions] = await Promise.all([
    apiClient.get(`/customers/${encodeURIComponent(input.customerId)}`),
    apiClient.get('/invoices', { customer: input.customerId, status: 'open', limit: 100 }),
    apiClient.get('/subscriptions', { customer: input.customerId, status: 'active', limit: 100 }),
  ])

  const amountDueByCurrency = {}
  for (const invoice of invoices.data) {
    amountDueByCurrency[invoice.currency] = (amountDueByCurrency[invoice.currency] || 0) + invoice.amount_remaining
  }

  return {
    customer: { id: customer.id, name: customer.name, email: customer.email },
    openInvoices: invoices.data.map((invoice) => ({
      id: invoice.id,
      number: invoice.number,
      amountDue: invoice.amount_remaining,
      currency: invoice.currency,
      dueDate: iso(invoice.due_date),
    })),
    activeSubscriptions: subscriptions.data.map((subscription) => ({
      id: subscription.id,
      status: subscription.status,
      currentPeriodEnd: iso(subscription.current_period_end),
    })),
    amountDueByCurrency,
  }
}
