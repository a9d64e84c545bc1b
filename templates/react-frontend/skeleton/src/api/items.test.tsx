import { renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { config } from '../config';
import { ApiError, setAccessTokenGetter } from './client';
import { useCreateItem, useItem, useItems } from './items';
import { createWrapper, jsonResponse } from '../test/utils';

describe('item hooks', () => {
  it('useItems fetches a page from the API base URL with the bearer token', async () => {
    const fetchMock = vi.fn().mockResolvedValue(
      jsonResponse({ items: [{ id: '1', name: 'One', updatedAt: '2025-01-01T00:00:00Z' }], total: 1 }),
    );
    vi.stubGlobal('fetch', fetchMock);
    setAccessTokenGetter(async () => 'token-123');

    const { result } = renderHook(() => useItems(), { wrapper: createWrapper() });

    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    expect(result.current.data?.items[0]?.name).toBe('One');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`${config.apiBaseUrl.replace(/\/+$/, '')}/items?offset=0&limit=20`);
    expect(new Headers(init.headers).get('Authorization')).toBe('Bearer token-123');
    setAccessTokenGetter(async () => undefined);
  });

  it('useItem surfaces a 404 as an ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse({ error: { message: 'no such item' } }, 404)));

    const { result } = renderHook(() => useItem('missing'), { wrapper: createWrapper() });

    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect((result.current.error as ApiError).status).toBe(404);
    expect(result.current.error?.message).toBe('no such item');
  });

  it('useCreateItem posts JSON', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse({ id: '9', name: 'New', updatedAt: '2025-01-01T00:00:00Z' }, 201));
    vi.stubGlobal('fetch', fetchMock);

    const { result } = renderHook(() => useCreateItem(), { wrapper: createWrapper() });
    result.current.mutate({ name: 'New' });

    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    const [, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(init.method).toBe('POST');
    expect(init.body).toBe(JSON.stringify({ name: 'New' }));
  });
});
