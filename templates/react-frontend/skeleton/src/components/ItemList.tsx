import { Link } from 'react-router-dom';
import type { Item } from '../api/items';

/** A list of items linking to their detail pages. */
export function ItemList({ items }: { items: Item[] }) {
  if (items.length === 0) {
    return <p>No items yet.</p>;
  }
  return (
    <ul className="item-list">
      {items.map((item) => (
        <li key={item.id}>
          <Link to={`/items/${encodeURIComponent(item.id)}`}>{item.name}</Link>
          {item.description ? <p>{item.description}</p> : null}
        </li>
      ))}
    </ul>
  );
}
