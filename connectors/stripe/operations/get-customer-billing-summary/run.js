// Three reads in parallel with Promise.all: the customer, their open invoices, their active
// subscriptions. Amounts stay in the currency's smallest unit, as Stripe returns them. The two
// lists are followed to the end (starting_after while has_more), so the totals are complete.
const iso = (seconds) => (seconds ? new Date(seconds * 1000).toISOString() : null)

module.exports = async function run({ apiClient, input }) {
  const [customer, invoices, subscriptions] = await Promise.all([
    apiClient.get(`/customers/${encodeURIComponent(input.customerId)}`),
    listAll(apiClient, '/invoices', { customer: input.customerId, status: 'open' }),
    listAll(apiClient, '/subscriptions', { customer: input.customerId, status: 'active' }),
  ])

  const amountDueByCurrency = {}
  for (const invoice of invoices) {
    amountDueByCurrency[invoice.currency] = (amountDueByCurrency[invoice.currency] || 0) + invoice.amount_remaining
  }

  return {
    customer: { id: customer.id, name: customer.name, email: customer.email },
    openInvoices: invoices.map((invoice) => ({
      id: invoice.id,
      number: invoice.number,
      amountDue: invoice.amount_remaining,
      currency: invoice.currency,
      dueDate: iso(invoice.due_date),
    })),
    activeSubscriptions: subscriptions.map((subscription) => ({
      id: subscription.id,
      status: subscription.status,
      currentPeriodEnd: iso(subscription.current_period_end),
    })),
    amountDueByCurrency,
  }
}

async function listAll(apiClient, path, filters) {
  const objects = []
  let startingAfter
  for (;;) {
    const query = { ...filters, limit: 100 }
    if (startingAfter) query.starting_after = startingAfter
    const page = await apiClient.get(path, query)
    objects.push(...page.data)
    if (!page.has_more || page.data.length === 0) return objects
    startingAfter = page.data[page.data.length - 1].id
  }
}
