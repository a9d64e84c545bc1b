import { Link, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useItem } from '../api/items';
import { NotFoundPage } from './NotFoundPage';

export function ItemDetailPage() {
  const { itemId } = useParams<{ itemId: string }>();
  const { data: item, error, isPending } = useItem(itemId);

  if (error instanceof ApiError && error.status === 404) {
    return <NotFoundPage />;
  }
  return (
    <section>
      <p>
        <Link to="/items">← All items</Link>
      </p>
      {isPending ? <p role="status">Loading…</p> : null}
      {error ? <p role="alert">Could not load the item: {error.message}</p> : null}
      {item ? (
        <article>
          <h1>{item.name}</h1>
          {item.description ? <p>{item.description}</p> : null}
          <p>
            Updated <time dateTime={item.updatedAt}>{new Date(item.updatedAt).toLocaleString()}</time>
          </p>
        </article>
      ) : null}
    </section>
  );
}
