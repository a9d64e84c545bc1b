import { useState, type FormEvent } from 'react';
import { useCreateItem, useItems } from '../api/items';
import { ItemList } from '../components/ItemList';

export function ItemsPage() {
  const [page, setPage] = useState(0);
  const { data, error, isPending, isFetching } = useItems(page);
  const createItem = useCreateItem();
  const [name, setName] = useState('');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    createItem.mutate({ name: name.trim() }, { onSuccess: () => setName('') });
  };

  return (
    <section>
      <h1>Items</h1>
      <form onSubmit={onSubmit} className="item-form">
        <label>
          New item
          <input value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" disabled={createItem.isPending}>
          Add
        </button>
      </form>
      {createItem.error ? <p role="alert">Could not add the item: {createItem.error.message}</p> : null}
      {isPending ? <p role="status">Loading…</p> : null}
      {error ? <p role="alert">Could not load items: {error.message}</p> : null}
      {data ? (
        <>
          <ItemList items={data.items} />
          <nav aria-label="Pages" className="pager">
            <button type="button" onClick={() => setPage((p) => Math.max(0, p - 1))} disabled={page === 0}>
              Previous
            </button>
            <span>Page {page + 1}</span>
            <button
              type="button"
              onClick={() => setPage((p) => p + 1)}
              disabled={(page + 1) * 20 >= data.total || isFetching}
            >
              Next
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
